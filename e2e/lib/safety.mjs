// What must stay readable on an image (patient safety), checked by geometry: the boxes of the
// orientation markers, the identity, the image number and the LOSSY mark lie inside their image
// and meet no control's box and no other text drawn on the image. And screenshots of each
// journey, to E2E_WORK/screenshots/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

// overlay-position is the image number ("Image n/N"); overlay-slice its position and thickness.
export const SAFE = ['marker-left', 'marker-right', 'marker-top', 'marker-bottom', 'overlay-identity', 'overlay-position', 'overlay-slice'];
// A share's recipient sees the position line only with the advanced tools: optional there.
export const RECIPIENT_SAFE = SAFE.filter((id) => id !== 'overlay-slice');
const CONTROLS = 'button, select, input, textarea, a[href], summary, [role=button], [role=radio], [role=toolbar], [role=radiogroup]';

/** Checks, in each viewport (`views`: the viewports' selector, the reformat views' in the MPR
 * layout), that the elements `required` (test ids, or `lossy`) are shown and those `optional`
 * wherever shown: inside the image, under no control. */
export function collisions(page, required, optional = [], views = '[data-testid=viewport]') {
  return page.evaluate(({ required, optional, controls, views }) => {
    const shown = (e) => {
      const r = e.getBoundingClientRect();
      const style = getComputedStyle(e);
      return r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
    };
    const meet = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    const inside = (a, b) => a.left >= b.left - 0.5 && a.right <= b.right + 0.5 && a.top >= b.top - 0.5 && a.bottom <= b.bottom + 0.5;
    const controlBoxes = [...document.querySelectorAll(controls)].filter(shown)
      .map((c) => ({ name: c.dataset.testid ?? c.getAttribute('aria-label') ?? c.tagName, box: c.getBoundingClientRect() }));
    const problems = [];
    let checked = 0;
    for (const viewport of document.querySelectorAll(views)) {
      // A viewport out of sight (a phone's other reformat views) has nothing to cover.
      if (!shown(viewport)) continue;
      const area = viewport.querySelector('[data-testid=image-area]').getBoundingClientRect();
      const find = (id) => viewport.querySelector(id === 'lossy' ? '.lossy' : `[data-testid=${id}]`);
      for (const id of [...required, ...optional]) {
        const element = find(id);
        if (!element || !shown(element)) {
          if (required.includes(id)) problems.push(`${id} is not shown`);
          continue;
        }
        checked += 1;
        const box = element.getBoundingClientRect();
        if (!inside(box, area)) problems.push(`${id} is not inside its image`);
        for (const control of controlBoxes) {
          if (meet(box, control.box)) problems.push(`${id} is under ${control.name}`);
        }
        // Nor over or under the other texts drawn on the image (corners, markers).
        for (const other of viewport.querySelectorAll('.overlay, .marker')) {
          if (other === element || other.contains(element) || element.contains(other) || !shown(other)) continue;
          if (meet(box, other.getBoundingClientRect())) {
            problems.push(`${id} meets ${other.dataset.testid ?? other.className}`);
          }
        }
      }
    }
    return { problems, checked };
  }, { required, optional, controls: CONTROLS, views });
}

export async function screenshot(page, name) {
  if (!process.env.E2E_WORK) return;
  const folder = join(process.env.E2E_WORK, 'screenshots');
  mkdirSync(folder, { recursive: true });
  await page.screenshot({ path: join(folder, `${name.replaceAll(' ', '-')}.png`) });
}

