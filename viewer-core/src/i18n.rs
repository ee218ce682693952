//! Message catalogs: flat JSON objects `{"key": "text"}`, one per language, French first.
//! Placeholders are `{name}`. A missing key shows the key itself (visible, never blank).

use std::collections::HashMap;

/// The interface languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Fr,
    En,
}

impl Lang {
    /// Picks the language from a BCP 47 tag such as `navigator.language`; French otherwise.
    pub fn from_tag(tag: &str) -> Self {
        if tag.to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Fr
        }
    }

    /// Whether a count of `n` takes the singular: French says "0 examen, 1 examen, 2 examens",
    /// English "0 studies, 1 study".
    pub fn singular(self, n: u64) -> bool {
        match self {
            Lang::Fr => n <= 1,
            Lang::En => n == 1,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }
}

/// One language's messages.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    messages: HashMap<String, String>,
}

impl Catalog {
    pub fn parse(json: &str) -> Result<Self, serde_json::Error> {
        Ok(Catalog {
            messages: serde_json::from_str(json)?,
        })
    }

    /// The message for `key`, or the key itself when missing.
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.messages.get(key).map(String::as_str).unwrap_or(key)
    }

    /// The message with `{name}` placeholders replaced.
    pub fn format(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.get(key).to_string();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// The message for a count `n` in `lang`: `key.one` or `key.other`, with `{n}` and `args`
    /// filled in.
    pub fn count(&self, lang: Lang, key: &str, n: u64, args: &[(&str, &str)]) -> String {
        let form = if lang.singular(n) { "one" } else { "other" };
        let n = n.to_string();
        let mut all = vec![("n", n.as_str())];
        all.extend_from_slice(args);
        self.format(&format!("{key}.{form}"), &all)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.messages.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_each_language_s_plural() {
        let fr = Catalog::parse(r#"{"studies.one": "{n} examen", "studies.other": "{n} examens"}"#)
            .expect("valid");
        let said = |n| fr.count(Lang::Fr, "studies", n, &[]);
        assert_eq!(
            [said(0), said(1), said(2)],
            ["0 examen", "1 examen", "2 examens"]
        );
        let en = Catalog::parse(r#"{"studies.one": "{n} study", "studies.other": "{n} studies"}"#)
            .expect("valid");
        let said = |n| en.count(Lang::En, "studies", n, &[]);
        assert_eq!(
            [said(0), said(1), said(2)],
            ["0 studies", "1 study", "2 studies"]
        );
    }

    #[test]
    fn lookup_format_and_fallback() {
        let c = Catalog::parse(r#"{"slice": "Image {n}/{total}"}"#).expect("valid");
        assert_eq!(
            c.format("slice", &[("n", "3"), ("total", "61")]),
            "Image 3/61"
        );
        assert_eq!(c.get("missing.key"), "missing.key");
        assert_eq!(Lang::from_tag("en-GB"), Lang::En);
        assert_eq!(Lang::from_tag("fr-FR"), Lang::Fr);
        assert_eq!(Lang::from_tag("de"), Lang::Fr);
    }

    #[test]
    fn shipped_catalogs_have_the_same_keys() {
        let fr = Catalog::parse(include_str!("../../static/i18n/fr.json")).expect("fr parses");
        let en = Catalog::parse(include_str!("../../static/i18n/en.json")).expect("en parses");
        let mut fr_keys: Vec<_> = fr.keys().collect();
        let mut en_keys: Vec<_> = en.keys().collect();
        fr_keys.sort_unstable();
        en_keys.sort_unstable();
        assert_eq!(fr_keys, en_keys);
    }

    #[test]
    fn every_key_object_title_is_translated() {
        let fr = Catalog::parse(include_str!("../../static/i18n/fr.json")).expect("fr parses");
        for code in crate::kos::TITLE_CODES {
            let key = format!("kos.title.{code}");
            assert_ne!(fr.get(&key), key, "{key}");
        }
        assert_eq!(fr.get("kos.title.113000"), "Images d'intérêt");
    }
}
