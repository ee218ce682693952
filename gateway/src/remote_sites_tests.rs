#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use super::*;

fn entry(id: &str, root: &str, auth: Option<&str>) -> RemoteSiteEntry {
    RemoteSiteEntry {
        id: id.into(),
        name: format!("Site {id}"),
        dicomweb_root: root.into(),
        authorization_file: auth.map(str::to_string),
    }
}

fn sites() -> RemoteSites {
    RemoteSites::load(
        &[
            entry("voisine", "https://pacs.voisine.example/dicom-web/", None),
            entry("autre", "http://10.1.2.3:8042/dicomweb", None),
        ],
        Path::new("."),
        &["nord"],
    )
    .unwrap()
}

#[test]
fn retrieve_urls_under_a_declared_root_lead_to_its_study_or_series() {
    let s = sites();
    assert_eq!(
        s.locate("https://pacs.voisine.example/dicom-web/studies/1.2.3"),
        Ok(Located {
            site: "voisine".into(),
            study: "1.2.3".into(),
            series: None
        })
    );
    assert_eq!(
        s.locate("http://10.1.2.3:8042/dicomweb/studies/1.2.3/series/4.5/"),
        Ok(Located {
            site: "autre".into(),
            study: "1.2.3".into(),
            series: Some("4.5".into())
        })
    );
    // Default ports and a host's case are the same origin.
    assert!(s
        .locate("https://PACS.voisine.example:443/dicom-web/studies/1.2")
        .is_ok());
}

#[test]
fn any_other_host_is_refused_without_being_asked() {
    let s = sites();
    for url in [
        "https://evil.example/dicom-web/studies/1.2.3",
        "http://pacs.voisine.example/dicom-web/studies/1.2.3",
        "https://pacs.voisine.example:8443/dicom-web/studies/1.2.3",
        "http://10.1.2.3:8043/dicomweb/studies/1.2.3",
        "http://127.0.0.1/dicom-web/studies/1.2.3",
    ] {
        assert_eq!(s.locate(url), Err(Refusal::UndeclaredHost), "{url}");
    }
    for url in [
        "studies/1.2.3",
        "ftp://pacs.voisine.example/dicom-web/studies/1.2",
        "x",
        "https://user@pacs.voisine.example/dicom-web/studies/1.2",
    ] {
        assert_eq!(s.locate(url), Err(Refusal::Malformed), "{url}");
    }
}

#[test]
fn a_path_that_escapes_the_root_is_refused() {
    let s = sites();
    for url in [
        "https://pacs.voisine.example/dicom-web/../tools/studies/1.2.3",
        "https://pacs.voisine.example/dicom-web/%2e%2e/tools/studies/1.2.3",
        "https://pacs.voisine.example/dicom-web-other/studies/1.2.3",
        "https://pacs.voisine.example/studies/1.2.3",
    ] {
        assert_eq!(s.locate(url), Err(Refusal::OutsideRoot), "{url}");
    }
    for url in [
        "https://pacs.voisine.example/dicom-web/studies/1.2.3/metadata",
        "https://pacs.voisine.example/dicom-web/studies/1.2.3?includefield=all",
        "https://pacs.voisine.example/dicom-web/studies/1.2.x",
        "https://pacs.voisine.example/dicom-web/studies/1.2.3/series/4.5/instances/6",
        "https://pacs.voisine.example/dicom-web/system",
    ] {
        assert_eq!(s.locate(url), Err(Refusal::NotAStudy), "{url}");
    }
}

#[test]
fn declarations_are_checked() {
    let dir = std::env::temp_dir().join(format!("gateway-remote-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("auth.txt"), "portal:s3cret\n").unwrap();
    std::fs::write(dir.join("bad.txt"), "no colon").unwrap();
    let loaded =
        RemoteSites::load(&[entry("v", "https://h/dw", Some("auth.txt"))], &dir, &[]).unwrap();
    let site = loaded.get("v").unwrap();
    assert_eq!(site.basic_auth.as_ref().unwrap().expose(), "portal:s3cret");
    assert!(!format!("{site:?}").contains("s3cret"));
    let fails = |e: RemoteSiteEntry, taken: &[&str]| RemoteSites::load(&[e], &dir, taken).is_err();
    assert!(fails(entry("v", "https://h/dw", Some("bad.txt")), &[]));
    assert!(fails(entry("v", "https://h/dw", Some("missing.txt")), &[]));
    assert!(fails(entry("nord", "https://h/dw", None), &["nord"]));
    assert!(fails(entry("a b", "https://h/dw", None), &[]));
    for root in ["ftp://h/dw", "https://u:p@h/dw", "https://h/dw?x=1", "h/dw"] {
        assert!(fails(entry("v", root, None), &[]), "{root}");
    }
    let twice = [
        entry("v", "https://h/a", None),
        entry("v", "https://h/b", None),
    ];
    assert!(RemoteSites::load(&twice, &dir, &[]).is_err());
}
