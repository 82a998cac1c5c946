//! The face models against their reference implementations, and the distances they give on
//! the public-domain portraits under the distortions a phone and an upload bring.

use std::path::{Path, PathBuf};

use clearance_idv::DocumentImage;
use clearance_idv::face::spoof::{MODEL_FILES, MiniFasNet};
use clearance_idv::face::{
    AgeEstimator, AntiSpoof, Descriptor, FaceAnalyser, FaceDetector, FaceEncoder, align, pth,
};
use image::{Rgb, RgbImage};
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn models() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/face")
}

fn load(name: &str) -> RgbImage {
    let bytes = std::fs::read(fixtures().join(name)).expect("fixture");
    DocumentImage::decode(&bytes)
        .expect("decodes")
        .rgb()
        .clone()
}

fn json(name: &str) -> Value {
    let text = std::fs::read(fixtures().join("faces").join(name)).expect("reference file");
    serde_json::from_slice(&text).expect("json")
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (na * nb)
}

/// The descriptors face-api.js computes on TF.js's CPU backend for the same chips
/// (`bench/faces/reference/descriptors.mjs`).
#[test]
fn the_encoder_reproduces_the_reference_descriptors() {
    let encoder = FaceEncoder::load(&models().join("faceapi")).expect("encoder loads");
    let reference = json("reference_descriptors.json");
    let chips = reference.as_object().expect("object");
    assert!(chips.len() >= 5, "every chip has a reference");
    for (name, expected) in chips {
        let expected: Vec<f32> = expected
            .as_array()
            .expect("array")
            .iter()
            .map(|v| v.as_f64().expect("number") as f32)
            .collect();
        let chip = load(&format!("faces/{name}"));
        let got = encoder.encode(&chip).expect("encodes");
        let similarity = cosine(&got, &expected);
        assert!(similarity >= 0.999, "{name}: cosine {similarity}");
        let max_diff = got
            .iter()
            .zip(&expected)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(max_diff < 0.01, "{name}: largest difference {max_diff}");
    }
}

/// The ages face-api.js estimates on TF.js's CPU backend for the same crops
/// (`bench/faces/reference/ages.mjs`).
#[test]
fn the_age_net_reproduces_the_reference_estimates() {
    let net = AgeEstimator::load(&models().join("faceapi")).expect("age net loads");
    let reference = json("age_reference.json");
    let crops = reference.as_object().expect("object");
    assert!(crops.len() >= 3);
    for (name, expected) in crops {
        let expected = expected.as_f64().expect("number") as f32;
        let got = net
            .estimate(&load(&format!("faces/{name}")))
            .expect("estimates");
        assert!((got - expected).abs() < 0.5, "{name}: {got} vs {expected}");
    }
}

/// The faces onnxruntime finds with the same model (`bench/faces/reference/yunet_reference.py`).
#[test]
fn the_detector_reproduces_the_reference_boxes() {
    let detector = FaceDetector::load(&models()).expect("detector loads");
    let reference = json("yunet_reference.json");
    for (name, faces) in reference.as_object().expect("object") {
        let expected = &faces[0];
        let found = detector.detect_unscaled(&load(name), 0.5).expect("detects");
        assert_eq!(found.len(), 1, "{name}: one face");
        let face = &found[0];
        let score = expected["score"].as_f64().expect("score") as f32;
        assert!(
            (face.score - score).abs() < 0.01,
            "{name}: score {} vs {score}",
            face.score
        );
        for (i, v) in face.bbox.iter().enumerate() {
            let e = expected["bbox"][i].as_f64().expect("bbox") as f32;
            assert!((v - e).abs() < 1.5, "{name}: box[{i}] {v} vs {e}");
        }
        for (i, p) in face.landmarks.iter().enumerate() {
            let ex = expected["landmarks"][i][0].as_f64().expect("x") as f32;
            let ey = expected["landmarks"][i][1].as_f64().expect("y") as f32;
            assert!(
                (p.x - ex).abs() < 1.5 && (p.y - ey).abs() < 1.5,
                "{name}: landmark {i} ({}, {}) vs ({ex}, {ey})",
                p.x,
                p.y
            );
        }
    }
}

/// The class probabilities of an independent NumPy forward pass over the state dicts read by
/// Python's `pickle` (`bench/faces/reference/minifasnet_reference.py`), for both networks on
/// every crop.
#[test]
fn the_anti_spoof_nets_reproduce_the_reference_probabilities() {
    let nets: Vec<(&str, MiniFasNet)> = MODEL_FILES
        .iter()
        .map(|(file, _)| {
            (
                *file,
                MiniFasNet::load(&models().join(file)).expect("loads"),
            )
        })
        .collect();
    let reference = json("minifasnet_reference.json");
    let crops = reference.as_object().expect("object");
    assert!(crops.len() >= 9, "every crop has a reference");
    for (name, expected) in crops {
        let crop = load(&format!("faces/{name}"));
        for (file, net) in &nets {
            let got = net.probabilities(&crop).expect("runs");
            let want = expected[*file].as_array().expect("array");
            assert_eq!(got.len(), want.len(), "{name} {file}: classes");
            for (g, w) in got.iter().zip(want) {
                let w = w.as_f64().expect("number") as f32;
                assert!((g - w).abs() < 1e-3, "{name} {file}: {got:?} vs {want:?}");
            }
        }
    }
}

/// The upstream project's own samples, through our detector and crops: the live face is
/// live, the photo of a screen is not (its authors' labels: `T` true, `F` fake).
#[test]
fn the_anti_spoof_nets_tell_the_upstream_samples_apart() {
    let analyser = FaceAnalyser::load(&models()).expect("models load");
    let anti_spoof = AntiSpoof::load(&models()).expect("anti-spoof loads");
    let live = |name: &str| {
        let image = load(&format!("faces/{name}"));
        let faces = analyser.detect(&image, 0.6).expect("detects");
        assert_eq!(faces.len(), 1, "{name}: one face");
        anti_spoof
            .live_probability(&image, &faces[0])
            .expect("scores")
    };
    let real = live("minivision_sample_t1.jpg");
    let fake = live("minivision_sample_f2.jpg");
    assert!(real > 0.9, "live sample scored {real}");
    assert!(fake < 0.1, "attack sample scored {fake}");
}

/// The live probability of every face image here under the distortions a phone and an upload
/// bring (printed for bench/faces/README.md). Held: the face on a screen never reaches the
/// default threshold, and the live sample stays above it.
#[test]
fn the_anti_spoof_scores_under_distortion() {
    let analyser = FaceAnalyser::load(&models()).expect("models load");
    let threshold = 0.5;
    let mut lowest_live = f32::MAX;
    let mut highest_attack = f32::MIN;
    for (name, attack) in [
        ("faces/minivision_sample_t1.jpg", false),
        ("faces/minivision_sample_f2.jpg", true),
        ("face_astronaut_eileen_collins.png", false),
        ("face_grace_hopper.jpg", false),
    ] {
        let image = load(name);
        let mut all = vec![("as taken", image.clone())];
        all.extend(variants(&image));
        for (how, variant) in all {
            let faces = analyser.detect(&variant, 0.6).expect("detects");
            let Some(face) = faces.first() else {
                println!("{name} {how}: no face");
                continue;
            };
            let live = analyser.live_probability(&variant, face).expect("scores");
            println!("{name} | {how} | {live:.3}");
            if name.contains("minivision") {
                if attack {
                    highest_attack = highest_attack.max(live);
                } else {
                    lowest_live = lowest_live.min(live);
                }
            }
        }
    }
    assert!(
        highest_attack < threshold,
        "attack sample reached {highest_attack}"
    );
    assert!(
        lowest_live >= threshold,
        "live sample fell to {lowest_live}"
    );
}

/// A state dict reader must refuse what it cannot read with a reason, never panic.
#[test]
fn the_state_dict_reader_refuses_damaged_files() {
    let bytes = std::fs::read(models().join(MODEL_FILES[0].0)).expect("model");
    let full = pth::parse(&bytes).expect("the vendored file parses");
    assert!(
        full.contains_key("conv1.conv.weight"),
        "module. prefix dropped"
    );
    for cut in [
        0,
        1,
        10,
        100,
        1_000,
        10_000,
        bytes.len() / 2,
        bytes.len() - 1,
    ] {
        assert!(pth::parse(&bytes[..cut]).is_err(), "cut at {cut} parsed");
    }
    let mut flipped = bytes.clone();
    flipped[2] ^= 0xff;
    assert!(pth::parse(&flipped).is_err(), "a wrong magic number parsed");
}

/// The only face of an image, described.
fn describe(analyser: &FaceAnalyser, image: &RgbImage) -> Descriptor {
    let faces = analyser.detect(image, 0.6).expect("detects");
    assert_eq!(faces.len(), 1, "one face");
    analyser.describe(image, &faces[0]).expect("describes")
}

/// Rotates about the centre by `degrees`, filling with grey.
fn rotate(image: &RgbImage, degrees: f32) -> RgbImage {
    let (w, h) = image.dimensions();
    let (s, c) = degrees.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    RgbImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        let sx = (c * dx + s * dy + cx).round();
        let sy = (-s * dx + c * dy + cy).round();
        if sx < 0.0 || sy < 0.0 || sx >= w as f32 || sy >= h as f32 {
            Rgb([128, 128, 128])
        } else {
            *image.get_pixel(sx as u32, sy as u32)
        }
    })
}

fn jpeg(image: &RgbImage, quality: u8) -> RgbImage {
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality)
        .encode_image(image)
        .expect("encodes");
    image::load_from_memory(&bytes).expect("decodes").to_rgb8()
}

fn brightness(image: &RgbImage, factor: f32) -> RgbImage {
    let mut out = image.clone();
    for p in out.pixels_mut() {
        for c in &mut p.0 {
            *c = (f32::from(*c) * factor).round().clamp(0.0, 255.0) as u8;
        }
    }
    out
}

/// What a phone and an upload do to a portrait.
fn variants(image: &RgbImage) -> Vec<(&'static str, RgbImage)> {
    let (w, h) = image.dimensions();
    let smaller = 160.0 / w.max(h) as f32;
    vec![
        ("mirrored", image::imageops::flip_horizontal(image)),
        (
            "cropped",
            image::imageops::crop_imm(image, w / 8, h / 10, w * 3 / 4, h * 3 / 4).to_image(),
        ),
        ("rotated +10°", rotate(image, 10.0)),
        ("rotated −10°", rotate(image, -10.0)),
        ("JPEG quality 40", jpeg(image, 40)),
        ("brightness +30 %", brightness(image, 1.3)),
        ("brightness −30 %", brightness(image, 0.7)),
        (
            "downscaled to 160 px",
            image::imageops::resize(
                image,
                (w as f32 * smaller) as u32,
                (h as f32 * smaller) as u32,
                image::imageops::FilterType::Triangle,
            ),
        ),
    ]
}

/// The engine's default: the same person below it (dlib's author uses 0.6; we are stricter).
const MATCH_BELOW: f32 = clearance_idv::face::DEFAULT_MATCH_DISTANCE;
/// How far from the threshold every pair here must stay.
const MARGIN: f32 = 0.05;

#[test]
fn the_same_face_stays_close_under_distortion_and_another_stays_far() {
    let analyser = FaceAnalyser::load(&models()).expect("models load");
    let collins = load("face_astronaut_eileen_collins.png");
    let hopper = load("face_grace_hopper.jpg");
    let passport = load("synthetic_passport_td3_specimen.jpg");
    let reference = describe(&analyser, &passport);
    let other = describe(&analyser, &hopper);
    let mut worst_same = 0f32;
    let mut nearest_other = f32::MAX;
    for (what, image) in std::iter::once(("as taken", collins.clone())).chain(variants(&collins)) {
        let d = describe(&analyser, &image);
        let same = d.distance(&reference);
        let different = d.distance(&other);
        eprintln!("Collins {what}: passport {same:.3}, Hopper {different:.3}");
        assert!(
            same < MATCH_BELOW - MARGIN,
            "Collins {what} vs the passport: {same}"
        );
        assert!(
            different > MATCH_BELOW + MARGIN,
            "Collins {what} vs Hopper: {different}"
        );
        worst_same = worst_same.max(same);
        nearest_other = nearest_other.min(different);
    }
    for (what, image) in variants(&hopper) {
        let d = describe(&analyser, &image);
        let (same, different) = (d.distance(&other), d.distance(&reference));
        eprintln!("Hopper {what}: Hopper {same:.3}, passport {different:.3}");
        assert!(
            same < MATCH_BELOW - MARGIN,
            "Hopper {what} vs Hopper: {same}"
        );
        assert!(
            different > MATCH_BELOW + MARGIN,
            "Hopper {what} vs the passport: {different}"
        );
    }
    assert!(worst_same < nearest_other);
}

#[test]
fn the_aligned_chip_levels_the_eyes() {
    let analyser = FaceAnalyser::load(&models()).expect("models load");
    let tilted = rotate(&load("face_astronaut_eileen_collins.png"), 12.0);
    let faces = analyser.detect(&tilted, 0.6).expect("detects");
    let chip = align::chip(&tilted, &faces[0]);
    // Detected again on the chip, the eyes are level and where the template puts them.
    let detector = FaceDetector::load(&models()).expect("detector loads");
    let again = detector.detect_unscaled(&chip, 0.5).expect("detects");
    let [r, l, ..] = again[0].landmarks;
    // Uncorrected, 12° would put one eye 11 px above the other; what is left is the
    // landmarks' own noise at this size.
    assert!((r.y - l.y).abs() < 5.0, "eyes at {} and {}", r.y, l.y);
    assert!((l.x - r.x - 52.0).abs() < 8.0, "eye distance {}", l.x - r.x);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Bytes changed in a real state dict's pickles (its first 60 KB) are read or refused, never a panic, and
    /// every tensor read has as many values as its shape says.
    #[test]
    fn the_state_dict_reader_survives_changed_bytes(
        changes in proptest::collection::vec((0usize..60_000, 0u8..=255), 1..8),
    ) {
        let mut bytes = std::fs::read(models().join(MODEL_FILES[1].0)).expect("model");
        for (at, value) in changes {
            let at = at % bytes.len();
            bytes[at] = value;
        }
        if let Ok(tensors) = pth::parse(&bytes) {
            for w in tensors.values() {
                proptest::prop_assert_eq!(w.values.len(), w.shape.iter().product::<usize>());
            }
        }
    }
}
