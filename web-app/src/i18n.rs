//! The interface language: French by default, English on demand (`?lang=en` or the switch,
//! whose choice the browser remembers).

use leptos::prelude::*;
use viewer_core::i18n::{Catalog, Lang};

#[derive(Clone)]
pub struct I18n {
    pub lang: RwSignal<Lang>,
    fr: std::sync::Arc<Catalog>,
    en: std::sync::Arc<Catalog>,
}

impl I18n {
    fn catalog(&self) -> &Catalog {
        match self.lang.get() {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        }
    }

    /// The message for `key` in the current language (reactive).
    pub fn t(&self, key: &str) -> String {
        self.catalog().get(key).to_string()
    }

    /// The message with `{name}` placeholders filled (reactive).
    pub fn f(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.catalog().format(key, args)
    }

    /// The message for a count (`key.one` or `key.other` as the language says), with `{n}`
    /// and `args` filled (reactive).
    pub fn n(&self, key: &str, n: usize, args: &[(&str, &str)]) -> String {
        let lang = self.lang.get();
        self.catalog().count(lang, key, n as u64, args)
    }

    /// Switches French / English; the choice is remembered in this browser.
    pub fn toggle(&self) {
        self.lang.update(|l| {
            *l = match l {
                Lang::Fr => Lang::En,
                Lang::En => Lang::Fr,
            }
        });
        if let Ok(Some(storage)) = window().local_storage() {
            let _ = storage.set_item(LANG_KEY, self.lang.get_untracked().code());
        }
    }
}

/// Creates the catalogs and puts them in context; called once by the app.
pub fn provide_i18n(initial: Lang) -> I18n {
    let parse = |json: &str| std::sync::Arc::new(Catalog::parse(json).unwrap_or_default());
    let i18n = I18n {
        lang: RwSignal::new(initial),
        fr: parse(include_str!("../../static/i18n/fr.json")),
        en: parse(include_str!("../../static/i18n/en.json")),
    };
    // Keep <html lang> true for screen readers and for the panic notice.
    let lang = i18n.lang;
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", lang.get().code());
        }
    });
    provide_context(i18n.clone());
    i18n
}

/// Where the reader's choice of language is kept (local storage of this origin).
pub const LANG_KEY: &str = "portal.lang";

/// The language chosen earlier in this browser, if any.
pub fn remembered() -> Option<Lang> {
    let storage = window().local_storage().ok()??;
    storage
        .get_item(LANG_KEY)
        .ok()?
        .map(|code| Lang::from_tag(&code))
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}
