//! Times of the portal's API (Unix seconds) against the reader's clock, shown as
//! `dd/MM/yyyy HH:mm` in the reader's time zone (the app's date style in both languages).

use viewer_core::text::format_da;

/// Now, in Unix seconds.
pub fn now_s() -> i64 {
    (js_sys::Date::now() / 1000.0).floor() as i64
}

fn local(unix_s: i64) -> js_sys::Date {
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(unix_s as f64 * 1000.0))
}

/// `unix_s` as `dd/MM/yyyy`, local time.
pub fn date(unix_s: i64) -> String {
    let date = local(unix_s);
    let day = format!(
        "{:04}{:02}{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date()
    );
    format_da(&day).unwrap_or(day)
}

/// `unix_s` as `dd/MM/yyyy HH:mm`, local time.
pub fn date_time(unix_s: i64) -> String {
    let time = local(unix_s);
    format!(
        "{} {:02}:{:02}",
        date(unix_s),
        time.get_hours(),
        time.get_minutes()
    )
}
