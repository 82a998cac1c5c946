//! The inspection of live photos at upload (live keys): what a face check could not use is
//! refused while the person is still in front of the camera.

use clearance_core::faces::PhotoRefusal;
use clearance_idv::face::{DetectedFace, FaceAnalyser};
use clearance_idv::{DecodeLimits, DocumentImage};

use super::{FaceSettings, face_of_photo};

/// The upload inspections of a live photo, in the order a person would fix them; with
/// `liveness`, last, whether it is plainly a print or a screen.
pub(super) fn inspect_photo(
    analyser: &FaceAnalyser,
    bytes: &[u8],
    liveness: bool,
    settings: &FaceSettings,
) -> Option<PhotoRefusal> {
    let refuse = |code: &'static str, message: &str| {
        Some(PhotoRefusal {
            code,
            message: message.into(),
        })
    };
    let Ok(image) = DocumentImage::decode_with_limits(bytes, DecodeLimits::default()) else {
        return refuse("image_unreadable", "The photo could not be read");
    };
    let gray = image.gray();
    let pixels = gray.as_raw();
    let mean = pixels.iter().map(|&p| u64::from(p)).sum::<u64>() / (pixels.len().max(1) as u64);
    if mean < u64::from(settings.dark_mean) {
        return refuse(
            "under_exposure",
            "The photo is too dark: take it facing a light",
        );
    }
    // The same finding a face check would make later, told to the person now.
    let face = match face_of_photo(analyser, &image, settings) {
        Ok(face) => face,
        Err(code) => return refuse(code, message(code)),
    };
    if let Some(code) = pose_finding(&face, settings) {
        return refuse(code, message(code));
    }
    // Only what both nets are sure of is refused: a borderline photo is uploaded and its
    // check says attention, where an analyst can look at it.
    if liveness {
        match analyser.live_probability(image.rgb(), &face) {
            Ok(live) if live < settings.spoof_refuse_below => {
                return refuse(
                    "spoofed_image",
                    "The photo looks like a picture of a printed photo or a screen: take a photo of your face itself",
                );
            }
            Ok(_) => {}
            Err(_) => return refuse("image_unreadable", "The photo could not be analysed"),
        }
    }
    None
}

/// Whether the face leans (eye line off level) or turns (nose off the eyes' midpoint) too far.
fn pose_finding(face: &DetectedFace, settings: &FaceSettings) -> Option<&'static str> {
    let [right_eye, left_eye, ..] = face.landmarks;
    let (vx, vy) = (left_eye.x - right_eye.x, left_eye.y - right_eye.y);
    let roll = vy.atan2(vx).to_degrees().abs();
    if roll > settings.max_roll_degrees {
        return Some("face_tilted");
    }
    if face.pose().yaw.abs() > settings.max_yaw {
        return Some("face_turned_away");
    }
    None
}

/// What the person taking the photo should change, for each finding.
fn message(code: &str) -> &'static str {
    match code {
        "face_tilted" => "The head is tilted too far: hold it upright",
        "face_turned_away" => "The face is turned away: look straight at the camera",
        "document_in_photo" => "A document was found in the photo: take a photo of your face alone",
        "no_face_detected" => {
            "No face was found in the photo: face the camera with nothing covering your face"
        }
        "multiple_faces_detected" => {
            "More than one face is in the photo: only the person being verified may be in it"
        }
        "face_too_small" => "The face is too small in the photo: come closer to the camera",
        _ => "The photo could not be analysed",
    }
}

#[cfg(test)]
mod tests {
    use clearance_idv::face::Point;

    use super::*;

    /// A face with eyes 40 px apart, turned by moving the nose sideways and leaning by
    /// rotating the whole face.
    fn face(nose_shift: f32, lean_degrees: f32) -> DetectedFace {
        let (sin, cos) = lean_degrees.to_radians().sin_cos();
        let at = |x: f32, y: f32| Point {
            x: 100.0 + x * cos - y * sin,
            y: 100.0 + x * sin + y * cos,
        };
        DetectedFace {
            bbox: [60.0, 60.0, 80.0, 100.0],
            landmarks: [
                at(-20.0, 0.0),
                at(20.0, 0.0),
                at(nose_shift, 20.0),
                at(-15.0, 40.0),
                at(15.0, 40.0),
            ],
            score: 0.9,
        }
    }

    #[test]
    fn a_leaning_or_turned_face_is_refused_and_a_frontal_one_is_not() {
        let s = FaceSettings::default();
        assert_eq!(pose_finding(&face(0.0, 0.0), &s), None);
        assert_eq!(pose_finding(&face(4.0, 20.0), &s), None);
        assert_eq!(pose_finding(&face(0.0, 45.0), &s), Some("face_tilted"));
        assert_eq!(pose_finding(&face(0.0, -45.0), &s), Some("face_tilted"));
        // 0.5 eye distances off the midpoint: a profile, not a selfie.
        assert_eq!(pose_finding(&face(20.0, 0.0), &s), Some("face_turned_away"));
        assert_eq!(
            pose_finding(&face(-20.0, 0.0), &s),
            Some("face_turned_away")
        );
        assert!(message("face_turned_away").contains("look straight"));
    }
}
