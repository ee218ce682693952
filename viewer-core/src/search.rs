//! The study list's search: the reader's filters as a QIDO-RS query, and the order of the
//! results. QIDO-RS defines no sort order, so results are fetched in batches (`limit`,
//! `offset`) and sorted here; a full batch means more may follow.

use std::cmp::Ordering;

use crate::study::StudySummary;

/// Studies asked per request; a full batch offers the next one.
pub const BATCH: u32 = 200;

/// The study-date filter.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DateFilter {
    #[default]
    Any,
    Today,
    /// Today and the days before it, `n` days in all.
    LastDays(u32),
    /// `YYYYMMDD` bounds, either open.
    Range {
        from: Option<String>,
        to: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Column {
    Patient,
    PatientId,
    #[default]
    Date,
    Modalities,
    Description,
    Images,
}

/// What the reader typed and chose.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StudySearch {
    /// Matched case-insensitively, `*` and `?` as wildcards; a prefix otherwise.
    pub patient_name: String,
    pub patient_id: String,
    /// `YYYYMMDD`.
    pub birth_date: Option<String>,
    pub dates: DateFilter,
    pub modality: Option<String>,
    pub accession_number: String,
    /// Matched anywhere in the description.
    pub description: String,
}

/// The reader's value, wildcards kept.
fn encode(value: &str) -> String {
    crate::dicom_json::query_value(value, true)
}

/// A typed value as a QIDO match: trimmed, backslashes (value separators) removed; a prefix
/// match (`value*`) unless the reader wrote a wildcard.
fn pattern(value: &str, anywhere: bool) -> Option<String> {
    let value: String = value.trim().chars().filter(|c| *c != '\\').collect();
    if value.is_empty() {
        return None;
    }
    Some(if value.contains(['*', '?']) {
        value
    } else if anywhere {
        format!("*{value}*")
    } else {
        format!("{value}*")
    })
}

/// Days since 1970-01-01 of a `YYYYMMDD` date, and back (proleptic Gregorian calendar).
fn days_from_civil(date: &str) -> Option<i64> {
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (y, m, d): (i64, i64, i64) = (
        date[..4].parse().ok()?,
        date[4..6].parse().ok()?,
        date[6..].parse().ok()?,
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

fn civil_from_days(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}{m:02}{d:02}")
}

impl StudySearch {
    /// The QIDO-RS `studies` query (without `?`) for batch `batch` (0-based); `today` is the
    /// reader's date, `YYYYMMDD`; `fields` are asked with `includefield`.
    pub fn query(&self, today: &str, batch: u32, fields: &[&str]) -> String {
        let mut parts: Vec<String> = Vec::new();
        if let Some(p) = pattern(&self.patient_name, false) {
            parts.push(format!("PatientName={}", encode(&p)));
        }
        if let Some(p) = pattern(&self.patient_id, false) {
            parts.push(format!("PatientID={}", encode(&p)));
        }
        if let Some(b) = self
            .birth_date
            .as_deref()
            .filter(|b| days_from_civil(b).is_some())
        {
            parts.push(format!("PatientBirthDate={b}"));
        }
        if let Some(range) = self.date_range(today) {
            parts.push(format!("StudyDate={range}"));
        }
        if let Some(m) = self.modality.as_deref().filter(|m| !m.is_empty()) {
            parts.push(format!("ModalitiesInStudy={}", encode(m)));
        }
        if let Some(p) = pattern(&self.accession_number, false) {
            parts.push(format!("AccessionNumber={}", encode(&p)));
        }
        if let Some(p) = pattern(&self.description, true) {
            parts.push(format!("StudyDescription={}", encode(&p)));
        }
        parts.extend(fields.iter().map(|f| format!("includefield={f}")));
        parts.push(format!("limit={BATCH}"));
        parts.push(format!("offset={}", batch.saturating_mul(BATCH)));
        parts.join("&")
    }

    /// The StudyDate range (`from-to`, either side open), or `None` for any date.
    pub fn date_range(&self, today: &str) -> Option<String> {
        match &self.dates {
            DateFilter::Any => None,
            DateFilter::Today => Some(today.to_string()),
            DateFilter::LastDays(n) => {
                let end = days_from_civil(today)?;
                let start = civil_from_days(end - i64::from(n.saturating_sub(1)));
                Some(format!("{start}-{today}"))
            }
            DateFilter::Range { from, to } => {
                let valid = |d: &Option<String>| {
                    d.as_deref()
                        .filter(|d| days_from_civil(d).is_some())
                        .unwrap_or_default()
                        .to_string()
                };
                let (from, to) = (valid(from), valid(to));
                (!from.is_empty() || !to.is_empty()).then(|| format!("{from}-{to}"))
            }
        }
    }
}

/// Sorts studies by `column`, ascending or not; ties by date (newest first), then UID, so the
/// order never depends on the server's.
pub fn sort_studies(studies: &mut [StudySummary], column: Column, ascending: bool) {
    let key = |a: &StudySummary, b: &StudySummary| -> Ordering {
        let text = |s: &Option<String>| s.as_deref().unwrap_or_default().to_lowercase();
        match column {
            Column::Patient => text(&a.patient_name).cmp(&text(&b.patient_name)),
            Column::PatientId => a.patient_id.cmp(&b.patient_id),
            Column::Date => a.study_date.cmp(&b.study_date),
            Column::Modalities => a.modalities.cmp(&b.modalities),
            Column::Description => text(&a.description).cmp(&text(&b.description)),
            Column::Images => a.instance_count.cmp(&b.instance_count),
        }
    };
    studies.sort_by(|a, b| {
        let primary = key(a, b);
        let primary = if ascending {
            primary
        } else {
            primary.reverse()
        };
        primary
            .then_with(|| b.study_date.cmp(&a.study_date))
            .then_with(|| a.study_instance_uid.cmp(&b.study_instance_uid))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_become_a_qido_query_with_batches() {
        let search = StudySearch {
            patient_name: " dupont ".into(),
            patient_id: "12*".into(),
            birth_date: Some("19700131".into()),
            dates: DateFilter::LastDays(7),
            modality: Some("CT".into()),
            accession_number: "A&B".into(),
            description: "thorax\\".into(),
        };
        let query = search.query("20240302", 2, &["00081030"]);
        assert_eq!(
            query,
            "PatientName=dupont*&PatientID=12*&PatientBirthDate=19700131&StudyDate=20240225-20240302\
             &ModalitiesInStudy=CT&AccessionNumber=A%26B*&StudyDescription=*thorax*\
             &includefield=00081030&limit=200&offset=400"
        );
        assert_eq!(
            StudySearch::default().query("20240302", 0, &[]),
            "limit=200&offset=0"
        );
    }

    #[test]
    fn date_filters_cover_today_ranges_and_month_ends() {
        let with = |dates| StudySearch {
            dates,
            ..StudySearch::default()
        };
        assert_eq!(
            with(DateFilter::Today).date_range("20240101").as_deref(),
            Some("20240101")
        );
        assert_eq!(
            with(DateFilter::LastDays(7))
                .date_range("20240101")
                .as_deref(),
            Some("20231226-20240101")
        );
        assert_eq!(
            with(DateFilter::LastDays(30))
                .date_range("20240301")
                .as_deref(),
            Some("20240201-20240301")
        );
        let range = |from: Option<&str>, to: Option<&str>| {
            with(DateFilter::Range {
                from: from.map(str::to_string),
                to: to.map(str::to_string),
            })
            .date_range("20240101")
        };
        assert_eq!(range(Some("20200101"), None).as_deref(), Some("20200101-"));
        assert_eq!(range(None, Some("20201231")).as_deref(), Some("-20201231"));
        assert_eq!(range(Some("2020"), Some("bad")), None);
        assert_eq!(with(DateFilter::Any).date_range("20240101"), None);
    }

    #[test]
    fn civil_dates_round_trip() {
        for date in ["19700101", "20000229", "19991231", "21000301", "18000101"] {
            let days = days_from_civil(date).expect("a date");
            assert_eq!(civil_from_days(days), date);
        }
        assert_eq!(days_from_civil("19700102"), Some(1));
    }

    fn study(uid: &str, name: &str, date: &str, images: u32) -> StudySummary {
        StudySummary {
            study_instance_uid: uid.into(),
            patient_name: Some(name.into()),
            patient_name_incomplete: false,
            patient_id: None,
            patient_birth_date: None,
            patient_sex: None,
            study_date: Some(date.into()),
            accession_number: None,
            modalities: vec![],
            description: None,
            series_count: None,
            instance_count: Some(images),
            issuer_of_patient_id: None,
        }
    }

    #[test]
    fn columns_sort_both_ways_with_stable_ties() {
        let mut list = vec![
            study("1", "bernard", "20200101", 5),
            study("2", "Alain", "20210101", 50),
            study("3", "alain", "20190101", 7),
        ];
        sort_studies(&mut list, Column::Patient, true);
        let uids = |l: &[StudySummary]| {
            l.iter()
                .map(|s| s.study_instance_uid.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            uids(&list),
            ["2", "3", "1"],
            "case-insensitive, ties newest first"
        );
        sort_studies(&mut list, Column::Images, false);
        assert_eq!(uids(&list), ["2", "3", "1"]);
        sort_studies(&mut list, Column::Date, true);
        assert_eq!(uids(&list), ["3", "1", "2"]);
    }
}
