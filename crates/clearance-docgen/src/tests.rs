use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 20).expect("date")
}

fn truth() -> Truth {
    Truth {
        document_type: "utility_bill",
        issuer: "Northgate Energy".into(),
        holder: "Mr John Smith".into(),
        first_name: "John".into(),
        last_name: "Smith".into(),
        property_number: "12".into(),
        street: "Willow Avenue".into(),
        city: "Leeds".into(),
        postal_code: "LS1 4AB".into(),
        issue_date: NaiveDate::from_ymd_opt(2026, 3, 3).expect("date"),
    }
}

/// Checks the bytes are what the rendering says and returns the page as pixels.
fn decode(rendering: Rendering, bytes: &[u8]) -> image::RgbImage {
    assert!(bytes.len() <= 3 * 1024 * 1024, "{} bytes", bytes.len());
    match rendering {
        Rendering::PdfText | Rendering::PdfImageOnly => {
            assert!(bytes.starts_with(b"%PDF"));
            degrade::rasterise(bytes, 40.0).expect("PDF renders")
        }
        Rendering::Jpeg | Rendering::Png => {
            let signature: &[u8] = if rendering == Rendering::Jpeg {
                &[0xFF, 0xD8]
            } else {
                b"\x89PNG\r\n\x1a\n"
            };
            assert!(bytes.starts_with(signature));
            let image = image::load_from_memory(bytes).expect("decodes").into_rgb8();
            assert!(image.width().max(image.height()) <= 2000);
            assert!(image.width().min(image.height()) >= 1000);
            image
        }
    }
}

fn dark_share(image: &image::RgbImage) -> f64 {
    let dark = image.pixels().filter(|p| p.0[0] < 128).count();
    dark as f64 / (image.width() * image.height()) as f64
}

#[test]
fn generation_is_deterministic_and_mixes_renderings() {
    let dump = dump_dir();
    let a = generate(7, 12, today()).expect("generate");
    let b = generate(7, 12, today()).expect("generate");
    assert_eq!(a.len(), 12);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.bytes, y.bytes, "{}", x.name);
        assert_eq!((&x.truth, &x.name), (&y.truth, &y.name));
    }
    for r in [
        Rendering::PdfText,
        Rendering::PdfImageOnly,
        Rendering::Jpeg,
        Rendering::Png,
    ] {
        assert!(a.iter().any(|d| d.rendering == r), "{r:?} missing");
    }
    for doc in &a {
        let page = decode(doc.rendering, &doc.bytes);
        assert!(dark_share(&page) > 0.002, "{} looks blank", doc.name);
        let t = &doc.truth;
        let age = (today() - t.issue_date).num_days();
        assert!((0..=80).contains(&age), "{age}");
        assert!(
            t.holder
                .to_lowercase()
                .contains(&t.last_name.to_lowercase())
        );
        let (outward, inward) = t.postal_code.split_once(' ').expect("postcode");
        assert!(outward.len() >= 2 && inward.len() == 3, "{}", t.postal_code);
        assert!(doc.name.ends_with(doc.rendering.extension()));
        let has = |needle: &[u8]| doc.bytes.windows(needle.len()).any(|w| w == needle);
        match doc.rendering {
            // Text with a ToUnicode map (copy-able), or a picture and no text at all.
            Rendering::PdfText => assert!(has(b"/ToUnicode") && !has(b"/Subtype/Image")),
            Rendering::PdfImageOnly => assert!(has(b"/Subtype/Image") && !has(b"/Font")),
            _ => {}
        }
        if let Some(dir) = &dump {
            std::fs::create_dir_all(dir).expect("dump folder");
            std::fs::write(dir.join(&doc.name), &doc.bytes).expect("dump");
            let view = match doc.rendering {
                Rendering::Jpeg | Rendering::Png => page,
                _ => degrade::rasterise(&doc.bytes, 100.0).expect("renders"),
            };
            view.save(dir.join(format!("{}.png", doc.name)))
                .expect("dump");
        }
    }
    let other = generate(8, 3, today()).expect("generate");
    assert_ne!(other[0].truth, a[0].truth);
}

/// With `CLEARANCE_DOCGEN_DUMP` set, where tests write documents for humans to look at: that
/// directory if it is an absolute path, else `target/docgen-dump`.
fn dump_dir() -> Option<std::path::PathBuf> {
    std::env::var("CLEARANCE_DOCGEN_DUMP").ok().map(|v| {
        if v.starts_with('/') {
            std::path::PathBuf::from(v)
        } else {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/docgen-dump")
        }
    })
}

/// Renders each design as a text PDF (and dumps its page at 100 dpi as PNG).
#[test]
fn every_layout_renders_a_full_page() {
    let dump = dump_dir();
    let kinds = [
        ("utility_bill", "Northgate Energy"),
        ("bank_statement", "Albion Bank"),
        ("tax_document", "Leeds City Council"),
    ];
    let mut pdfs = Vec::new();
    for (layout, (kind, issuer)) in kinds.iter().enumerate() {
        let truth = Truth {
            document_type: kind,
            issuer: issuer.to_string(),
            ..truth()
        };
        let doc = render(&truth, layout, Rendering::PdfText, 42).expect("render");
        assert_eq!(doc.layout, LAYOUTS[layout]);
        let page = degrade::rasterise(&doc.bytes, 100.0).expect("renders");
        assert_eq!(page.dimensions(), (826, 1169));
        let share = dark_share(&page);
        assert!((0.005..0.2).contains(&share), "{share}");
        if let Some(dir) = &dump {
            std::fs::create_dir_all(dir).expect("dump folder");
            let name = doc.name.replace(".pdf", ".png");
            page.save(dir.join(name)).expect("dump");
        }
        pdfs.push(doc.bytes);
    }
    assert!(pdfs[0] != pdfs[1] && pdfs[1] != pdfs[2]);
}

#[test]
fn a_targeted_document_keeps_its_truth() {
    let old = Truth {
        issue_date: NaiveDate::from_ymd_opt(2024, 1, 5).expect("date"),
        holder: "MS JANE DOE".into(),
        ..truth()
    };
    for rendering in [Rendering::Jpeg, Rendering::PdfImageOnly] {
        let doc = render(&old, 4, rendering, 9).expect("render");
        assert_eq!(doc.truth, old);
        assert_eq!(doc.layout, "banded");
        decode(rendering, &doc.bytes);
    }
}

#[test]
fn blank_pages_are_blank() {
    for r in [
        Rendering::PdfText,
        Rendering::PdfImageOnly,
        Rendering::Jpeg,
        Rendering::Png,
    ] {
        let page = decode(r, &blank(r).expect("blank"));
        assert!(dark_share(&page) < 0.0005, "{r:?}");
    }
}

#[test]
fn amounts_and_dates_print_as_in_the_uk() {
    assert_eq!(content::money(12_345_678), "£123,456.78");
    assert_eq!(content::money(-505), "-£5.05");
    let d = NaiveDate::from_ymd_opt(2026, 3, 3).expect("date");
    assert_eq!(content::date(d, 0), "3 March 2026");
    assert_eq!(content::date(d, 1), "03/03/2026");
    assert_eq!(content::date(d, 2), "03 Mar 2026");
}
