//! Parser tests on the small fixtures: happy paths, malformed rows, wrong encodings, truncation.

use std::io::Cursor;
use std::path::PathBuf;

use clearance_screening::lists::{
    OfacFiles, parse_eu_fsf_csv, parse_eu_fsf_xml, parse_ftm_json, parse_ofac, parse_senzing_json,
    parse_uk_ofsi_csv, parse_un_xml, parse_us_csl_csv,
};
use clearance_screening::{
    Classification, EntityKind, Format, Gender, NameQuality, ScreeningError, SourceList, load,
};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).expect("fixture")
}

const NAMES: [&str; 4] = ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"];

fn ofac(
    primary: &[u8],
    alt: &[u8],
) -> clearance_screening::Result<clearance_screening::ParsedList> {
    parse_ofac(
        OfacFiles {
            primary: Cursor::new(primary.to_vec()),
            aliases: Some(Cursor::new(alt.to_vec())),
            addresses: None::<Cursor<Vec<u8>>>,
            comments: None::<Cursor<Vec<u8>>>,
        },
        SourceList::UsOfacSdn,
        NAMES,
    )
}

#[test]
fn format_names_round_trip() {
    for f in Format::ALL {
        assert_eq!(f.name().parse::<Format>().expect("known"), f);
    }
    assert!(matches!(
        "nope".parse::<Format>(),
        Err(ScreeningError::UnknownFormat(_))
    ));
}

#[test]
fn ofac_fixture_folder() {
    let p = load(Format::OfacCsv, &fixture("ofac_sdn")).expect("parse");
    assert_eq!(p.entities.len(), 6);
    // no publication date in the files: the version is a content hash, stable across loads
    let v = p.version.clone().expect("version");
    assert!(v.starts_with("fnv64:"), "{v}");
    assert_eq!(
        load(Format::OfacCsv, &fixture("ofac_sdn"))
            .expect("again")
            .version,
        Some(v)
    );
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let e = p
        .entities
        .iter()
        .find(|e| e.native_id == "15253")
        .expect("person");
    assert_eq!(e.kind, EntityKind::Person);
    assert_eq!(e.primary_name(), "Jesus Alfredo SALAZAR RAMIREZ");
    assert_eq!(e.id(), "us_ofac_sdn:15253");
    let bnc = p
        .entities
        .iter()
        .find(|e| e.native_id == "306")
        .expect("306");
    assert!(
        bnc.names
            .iter()
            .any(|n| n.full == "NATIONAL BANK OF CUBA" && n.quality == NameQuality::Strong)
    );
    assert!(bnc.countries.contains(&"CH".to_owned()));
    // JSON round trip (the server stores entities as JSON)
    let json = serde_json::to_string(e).expect("ser");
    let back: clearance_screening::Entity = serde_json::from_str(&json).expect("de");
    assert_eq!(&back, e);
}

#[test]
fn ofac_bad_row_is_reported_not_fatal() {
    let sdn = b"1,\"A\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\nxx,\"B\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n3,\"C\",-0- \r\n4,\"D\",\"individual\",\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 1970.\"\r\n";
    let alt = b"1,1,\"aka\",\"AA\",-0- \r\n99,2,\"aka\",\"ORPHAN\",-0- \r\n";
    let p = ofac(sdn, alt).expect("parse");
    assert_eq!(p.entities.len(), 2);
    let lines: Vec<u64> = p.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [2, 3, 2], "{:?}", p.errors);
    assert_eq!(p.errors[2].file, "alt.csv");
    assert_eq!(p.entities[1].dates_of_birth[0].year, 1970);
}

#[test]
fn ofac_truncated_file_is_an_error() {
    let full = bytes("ofac_sdn/sdn.csv");
    for cut in [full.len() - 30, full.len() / 2, 100] {
        let r = ofac(&full[..cut], b"");
        assert!(
            matches!(r, Err(ScreeningError::Truncated { .. })),
            "cut {cut}: {r:?}"
        );
    }
}

#[test]
fn ofac_wrong_encoding_is_an_error() {
    let mut sdn = bytes("ofac_sdn/sdn.csv");
    sdn.extend_from_slice(
        b"7,\"CAF\xc9 \xc0 LA CARTE\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n",
    );
    assert!(matches!(
        ofac(&sdn, b""),
        Err(ScreeningError::Encoding { .. })
    ));
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain("1,\"A\"".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    assert!(ofac(&utf16, b"").is_err());
}

#[test]
fn garbled_file_is_an_error() {
    let mut sdn = Vec::new();
    for i in 0..20 {
        sdn.extend_from_slice(format!("{i},\"N\",-0- \r\n").as_bytes());
    }
    sdn.extend_from_slice(b"99,\"A\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n");
    assert!(matches!(
        ofac(&sdn, b""),
        Err(ScreeningError::Garbled { .. })
    ));
}

#[test]
fn un_fixture_and_truncation() {
    let x = bytes("un_sc_sample.xml");
    let p = parse_un_xml(Cursor::new(x.clone())).expect("parse");
    assert_eq!(p.entities.len(), 3);
    assert_eq!(
        p.entities
            .iter()
            .filter(|e| e.kind == EntityKind::Person)
            .count(),
        2
    );
    let e = &p.entities[0];
    assert_eq!(e.native_id, "CDi.001");
    assert_eq!(e.primary_name(), "ERIC BADEGE");
    assert_eq!(e.gender, Some(Gender::Male));
    assert!(e.countries.contains(&"CD".to_owned()));
    assert_eq!(e.dates_of_birth[0].year, 1971);
    let cut = parse_un_xml(Cursor::new(x[..x.len() - 200].to_vec()));
    assert!(
        matches!(
            cut,
            Err(ScreeningError::Truncated { .. }) | Err(ScreeningError::Malformed { .. })
        ),
        "{cut:?}"
    );
    let bad = parse_un_xml(Cursor::new(
        b"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL></WRONG></CONSOLIDATED_LIST>".to_vec(),
    ));
    assert!(bad.is_err());
    let none = parse_un_xml(Cursor::new(Vec::new()));
    assert!(matches!(none, Err(ScreeningError::Truncated { .. })));
}

#[test]
fn un_record_without_id_is_a_row_error() {
    let xml = "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>A</FIRST_NAME></INDIVIDUAL><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>B</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>";
    let p = parse_un_xml(Cursor::new(xml.as_bytes().to_vec())).expect("parse");
    assert_eq!(p.entities.len(), 1);
    assert_eq!(p.errors.len(), 1);
    assert_eq!(p.errors[0].line, 1);
}

#[test]
fn uk_fixture_windows_1252() {
    let p = parse_uk_ofsi_csv(Cursor::new(bytes("uk_ofsi_sample.csv"))).expect("parse");
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert!(!p.entities.is_empty());
    let q = &p.entities[0];
    assert_eq!(q.native_id, "13349");
    assert!(q.primary_name().contains("AL-QAHTANI"));
    assert_eq!(q.dates_of_birth.len(), 2);
    assert_eq!(q.identifiers[0].value, "592667");
    assert!(q.classifications.contains(&Classification::WatchlistTerror));
    // the cp1252 rows decode to non-ASCII text, never to replacement characters
    assert!(
        p.entities
            .iter()
            .flat_map(|e| &e.names)
            .all(|n| !n.full.contains('\u{fffd}'))
    );
}

#[test]
fn uk_header_driven_and_truncated() {
    // columns in another order plus an extra column, as in newer OFSI files
    let csv = "Group ID,Name 6,Name 1,Group Type,Alias Type,Name Non-Latin Script,Regime\n1,SMITH,John,Individual,Primary Name,Джон Смит,Russia\n1,SMYTH,John,Individual,AKA,,Russia\n2,ACME LTD,,Entity,Primary Name,,Russia\n";
    let p = parse_uk_ofsi_csv(Cursor::new(csv.as_bytes().to_vec())).expect("parse");
    assert_eq!(p.entities.len(), 2);
    assert_eq!(p.entities[0].names.len(), 3);
    assert_eq!(p.entities[0].primary_name(), "John SMITH");
    let cut = &csv[..csv.len() - 12];
    assert!(matches!(
        parse_uk_ofsi_csv(Cursor::new(cut.as_bytes().to_vec())),
        Err(ScreeningError::Truncated { .. })
    ));
    let unterminated = "Group ID,Name 6\n1,\"SMITH\n";
    assert!(parse_uk_ofsi_csv(Cursor::new(unterminated.as_bytes().to_vec())).is_err());
    assert!(parse_uk_ofsi_csv(Cursor::new(b"no,header\n1,2\n".to_vec())).is_err());
}

#[test]
fn eu_xml_fixture() {
    let p = parse_eu_fsf_xml(Cursor::new(bytes("eu_fsf_sample.xml"))).expect("parse");
    assert_eq!(p.entities.len(), 3);
    let ivan = &p.entities[0];
    assert_eq!(ivan.native_id, "9001");
    assert_eq!(ivan.kind, EntityKind::Person);
    assert_eq!(ivan.names.len(), 3);
    assert_eq!(ivan.names[2].quality, NameQuality::Weak);
    assert_eq!(ivan.dates_of_birth[0].to_string(), "1965-04-12");
    assert_eq!(ivan.identifiers[0].value, "751234567");
    assert_eq!(p.entities[1].kind, EntityKind::Organisation);
    assert!(
        p.entities[1]
            .classifications
            .contains(&Classification::WatchlistTerror)
    );
    assert_eq!(p.entities[2].primary_name(), "Anna EXAMPLOVA");
    assert_eq!(p.version.as_deref(), Some("2026-01-15T10:00:00.000+01:00"));
    let x = bytes("eu_fsf_sample.xml");
    assert!(parse_eu_fsf_xml(Cursor::new(x[..x.len() / 2].to_vec())).is_err());
}

#[test]
fn eu_csv_fixture() {
    let p = parse_eu_fsf_csv(Cursor::new(bytes("eu_fsf_sample.csv"))).expect("parse");
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.entities.len(), 3);
    let ivan = &p.entities[0];
    assert_eq!(ivan.names.len(), 2);
    assert_eq!(ivan.dates_of_birth[0].year, 1965);
    assert_eq!(ivan.countries, ["RU"]);
    assert_eq!(p.entities[2].dates_of_birth[0].year, 1970);
    let x = bytes("eu_fsf_sample.csv");
    let cut = &x[..x.len() - 40];
    assert!(matches!(
        parse_eu_fsf_csv(Cursor::new(cut.to_vec())),
        Err(ScreeningError::Truncated { .. })
    ));
}

#[test]
fn csl_fixture() {
    let p = parse_us_csl_csv(Cursor::new(bytes("us_csl_sample.csv"))).expect("parse");
    assert_eq!(p.entities.len(), 5);
    assert!(p.entities.iter().all(|e| !e.classifications.is_empty()));
    let short = "source,name,type\nSDN,Foo,Entity\nSDN,Bar\nSDN,Baz,Entity\n";
    let p = parse_us_csl_csv(Cursor::new(short.as_bytes().to_vec())).expect("parse");
    assert_eq!(p.entities.len(), 2);
    assert_eq!(p.errors.len(), 1);
    assert_eq!(p.errors[0].line, 3);
}

#[test]
fn ftm_and_senzing_fixtures() {
    let f = parse_ftm_json(Cursor::new(bytes("ftm_t1_sample.json"))).expect("ftm");
    assert_eq!(f.entities.len(), 6);
    let s = parse_senzing_json(Cursor::new(bytes("senzing_sample.json"))).expect("senzing");
    assert_eq!(s.entities.len(), 3);
    assert_eq!(s.entities[0].primary_name(), "Jennifer L. McClellan");
    assert!(
        s.entities[0]
            .classifications
            .contains(&Classification::PepLevel1)
    );
    assert_eq!(s.entities[0].countries, ["US"]);
}

#[test]
fn json_lines_errors() {
    let mut x = bytes("senzing_sample.json");
    // a bad line in the middle is a row error …
    let mut mid = b"{not json}\n".to_vec();
    mid.extend_from_slice(&x);
    let p = parse_senzing_json(Cursor::new(mid)).expect("parse");
    assert_eq!(p.entities.len(), 3);
    assert_eq!(p.errors[0].line, 1);
    // … a cut last line is truncation
    x.truncate(x.len() - 50);
    assert!(matches!(
        parse_senzing_json(Cursor::new(x)),
        Err(ScreeningError::Truncated { .. })
    ));
    assert!(matches!(
        parse_ftm_json(Cursor::new(b"{\"id\":1}\n\xff\xfe\n".to_vec())),
        Err(ScreeningError::Encoding { .. })
    ));
}

#[test]
fn parsers_never_panic_on_noise() {
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    let samples = [
        bytes("un_sc_sample.xml"),
        bytes("uk_ofsi_sample.csv"),
        bytes("ftm_t1_sample.json"),
        bytes("ofac_sdn/sdn.csv"),
    ];
    for round in 0..200 {
        let mut data = samples[round % samples.len()].clone();
        for _ in 0..8 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let i = (seed as usize) % data.len();
            data[i] = (seed >> 32) as u8;
        }
        let _ = parse_un_xml(Cursor::new(data.clone()));
        let _ = parse_uk_ofsi_csv(Cursor::new(data.clone()));
        let _ = parse_eu_fsf_xml(Cursor::new(data.clone()));
        let _ = parse_eu_fsf_csv(Cursor::new(data.clone()));
        let _ = parse_us_csl_csv(Cursor::new(data.clone()));
        let _ = parse_ftm_json(Cursor::new(data.clone()));
        let _ = parse_senzing_json(Cursor::new(data.clone()));
        let _ = ofac(&data, b"");
    }
}
