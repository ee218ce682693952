//! Display formatting of DICOM text values. Everything here is pure and locale-aware where it
//! must be (dates are dd/MM/yyyy in French and in English as used in French hospitals).

/// A person name (PN) for display: `FAMILY^Given^Middle^Prefix^Suffix` becomes
/// `FAMILY Given Middle Prefix Suffix`; empty components are dropped. The ideographic group
/// (Japanese, Chinese, Korean names) follows in parentheses, `Yamada Tarou (山田 太郎)`; a
/// name given only in ideographic or phonetic characters is shown in them.
pub fn person_name_display(raw: &str) -> String {
    let groups: Vec<String> = raw
        .split('=')
        .map(|group| {
            group
                .split('^')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let group = |i: usize| groups.get(i).map(String::as_str).unwrap_or_default();
    match (group(0), group(1), group(2)) {
        ("", "", phonetic) => phonetic.to_string(),
        ("", ideographic, _) => ideographic.to_string(),
        (alphabetic, "", _) => alphabetic.to_string(),
        (alphabetic, ideographic, _) if alphabetic == ideographic => alphabetic.to_string(),
        (alphabetic, ideographic, _) => format!("{alphabetic} ({ideographic})"),
    }
}

/// A DICOM date (DA, `YYYYMMDD`, or the old `YYYY.MM.DD`) as `dd/MM/yyyy`.
/// Returns `None` for anything that is not a valid calendar date, so the UI can show the raw
/// value instead of a wrong one.
pub fn format_da(raw: &str) -> Option<String> {
    let digits: String = raw.trim().chars().filter(|c| *c != '.').collect();
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: u32 = digits[0..4].parse().ok()?;
    let month: u32 = digits[4..6].parse().ok()?;
    let day: u32 = digits[6..8].parse().ok()?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(format!("{day:02}/{month:02}/{year:04}"))
}

/// A date as a person types it, day first whatever the browser's locale (`31/01/1990`,
/// `31.01.1990`, `31-01-1990`, `31 01 1990`, `31011990`, one-digit day and month allowed
/// with separators), or in ISO order (`1990-01-31`): the DICOM date (`19900131`) when it is a
/// real calendar day of a year from 1800 to 2199.
pub fn parse_typed_date(typed: &str) -> Option<String> {
    let typed = typed.trim();
    let parts: Vec<&str> = typed
        .split(['/', '.', '-', ' '])
        .filter(|p| !p.is_empty())
        .collect();
    if !parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let (day, month, year) = match parts.as_slice() {
        [all] if all.len() == 8 => (&all[0..2], &all[2..4], &all[4..8]),
        [year, month, day] if year.len() == 4 && day.len() <= 2 && month.len() <= 2 => {
            (*day, *month, *year)
        }
        [day, month, year] if year.len() == 4 && day.len() <= 2 && month.len() <= 2 => {
            (*day, *month, *year)
        }
        _ => return None,
    };
    let (day, month, year): (u32, u32, u32) =
        (day.parse().ok()?, month.parse().ok()?, year.parse().ok()?);
    if !(1800..2200).contains(&year) {
        return None;
    }
    let da = format!("{year:04}{month:02}{day:02}");
    format_da(&da).map(|_| da)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(person_name_display("LUNG^CT^REAL"), "LUNG CT REAL");
        assert_eq!(person_name_display("^^^^"), "");
        assert_eq!(
            person_name_display("Yamada^Tarou=山田^太郎=やまだ^たろう"),
            "Yamada Tarou (山田 太郎)"
        );
        // Orthanc's index answers "^" for groups it lost: nothing to show for them.
        assert_eq!(person_name_display("Yamada^Tarou=^=^"), "Yamada Tarou");
        assert_eq!(person_name_display("=山田^太郎"), "山田 太郎");
        assert_eq!(person_name_display("==やまだ^たろう"), "やまだ たろう");
        assert_eq!(
            person_name_display("Wang^XiaoDong=Wang^XiaoDong"),
            "Wang XiaoDong"
        );
    }

    #[test]
    fn dates_are_day_month_year() {
        assert_eq!(format_da("20000101").as_deref(), Some("01/01/2000"));
        assert_eq!(format_da("1999.12.31").as_deref(), Some("31/12/1999"));
        assert_eq!(format_da("20240229").as_deref(), Some("29/02/2024"));
        assert_eq!(format_da("20230229"), None);
        assert_eq!(format_da("2023"), None);
        assert_eq!(format_da(""), None);
    }

    #[test]
    fn typed_dates_are_read_day_first() {
        for typed in [
            "31/01/1990",
            "31.01.1990",
            "31-01-1990",
            " 31 01 1990 ",
            "31011990",
            "1990-01-31",
        ] {
            assert_eq!(
                parse_typed_date(typed).as_deref(),
                Some("19900131"),
                "{typed}"
            );
        }
        assert_eq!(parse_typed_date("1/2/2003").as_deref(), Some("20030201"));
        assert_eq!(parse_typed_date("29/02/2024").as_deref(), Some("20240229"));
        for wrong in [
            "29/02/2023",
            "31/04/1990",
            "01/13/1990",
            "00/01/1990",
            "1/1/90",
            "01/01/1700",
            "19900131x",
            "",
            "31/01",
            "12/31/1990",
            "1990/31/01",
            "3101199",
        ] {
            assert_eq!(parse_typed_date(wrong), None, "{wrong}");
        }
    }
}
