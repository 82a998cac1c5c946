//! Glyph matching against rendered and damaged cells.

use image::imageops::{self, FilterType};
use image::{GrayImage, Luma};

use super::*;
use crate::ocr::cells::line_cells;
use crate::ocr::locate::LineBox;

/// The stored bitmap of `c` as a grey image, ink black on white.
fn glyph_image(c: u8) -> Option<GrayImage> {
    let rows = GLYPHS
        .iter()
        .find(|(k, _)| *k == c)
        .map(|(_, rows)| *rows)?;
    let w = rows[0].len() as u32;
    Some(GrayImage::from_fn(w, rows.len() as u32, |x, y| {
        let d = rows[y as usize]
            .chars()
            .nth(x as usize)
            .and_then(|ch| ch.to_digit(16))
            .unwrap_or(0);
        Luma([255 - (d * 17) as u8])
    }))
}

/// A line of `text` (characters without a stored glyph left blank) with glyphs `height`
/// pixels high at a pitch of 0.85 × height, blurred by `sigma`, and its box.
fn line_image(text: &[u8], height: u32, sigma: f32) -> (GrayImage, LineBox) {
    let pitch = (height as f32 * 0.85).round() as u32;
    let margin = height;
    let width = 2 * margin + pitch * text.len() as u32;
    let mut img = GrayImage::from_pixel(width, 3 * height, Luma([235]));
    for (i, &c) in text.iter().enumerate() {
        let Some(g) = glyph_image(c) else {
            continue;
        };
        let w = (g.width() * height).div_ceil(g.height());
        let g = imageops::resize(&g, w, height, FilterType::Triangle);
        let left = margin + pitch * i as u32 + (pitch - w.min(pitch)) / 2;
        for (x, y, p) in g.enumerate_pixels() {
            let px = img.get_pixel_mut(left + x, height + y);
            px[0] = px[0].min(p[0].saturating_add(25));
        }
    }
    let img = if sigma > 0.0 {
        imageops::blur(&img, sigma)
    } else {
        img
    };
    // The box of a real line spans all its characters (fillers have ink).
    let b = LineBox {
        x0: margin + pitch / 8,
        y0: height,
        x1: margin + pitch * text.len() as u32 - pitch / 8,
        y1: 2 * height,
    };
    (img, b)
}

/// `text` rendered sharp and large, then smaller and blurred, is read back exactly.
fn reads_at_three_sizes(matcher: &GlyphMatcher, text: &[u8], alphabet: Alphabet) {
    for (height, sigma) in [(24, 0.0), (16, 0.6), (12, 0.9)] {
        let (img, b) = line_image(text, height, sigma);
        let cells = line_cells(&img, b, text.len(), 0.0);
        assert_eq!(
            matcher.read_line(&cells, alphabet).as_deref(),
            Some(text),
            "height {height}"
        );
    }
}

#[test]
fn whole_lines_are_read_by_shape_and_a_blank_cell_refuses_the_line() {
    let matcher = GlyphMatcher::new();
    let text = b"L898902C36UTO7408122F1204159ZE184226B<<<<<10";
    reads_at_three_sizes(&matcher, text, Alphabet::Mrz);
    // The sixth character scratched out: the line is left to the recogniser.
    let (mut img, b) = line_image(text, 24, 0.0);
    let pitch = 20;
    for x in 24 + 5 * pitch..24 + 6 * pitch {
        for y in 0..img.height() {
            img.put_pixel(x, y, Luma([235]));
        }
    }
    assert_eq!(
        matcher.read_line(&line_cells(&img, b, text.len(), 0.0), Alphabet::Mrz),
        None
    );
}

#[test]
fn a_names_line_is_read_in_letters_only() {
    let matcher = GlyphMatcher::new();
    let text = b"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<";
    reads_at_three_sizes(&matcher, text, Alphabet::Letters);
    // A digit has no letter glyph that fits it clearly: such a line is not read as
    // letters.
    let digits = b"0123456789";
    let (img, b) = line_image(digits, 24, 0.0);
    let cells = line_cells(&img, b, digits.len(), 0.0);
    assert_eq!(matcher.read_line(&cells, Alphabet::Letters), None);
}

#[test]
fn letters_like_reads_the_tables_both_ways() {
    assert_eq!(letters_like(b'0'), b"ODQU".to_vec());
    assert_eq!(letters_like(b'1'), b"IJL".to_vec());
    assert_eq!(letters_like(b'8'), b"B".to_vec());
    assert_eq!(letters_like(b'9'), b"Q".to_vec());
    assert!(letters_like(b'3').is_empty());
}

#[test]
fn lookalike_pairs_are_told_apart_on_rendered_cells() {
    let matcher = GlyphMatcher::new();
    let text = b"O0I1Z2S5B8G6D0Q9";
    for (height, sigma) in [(24, 0.0), (16, 0.6), (12, 0.9)] {
        let (img, b) = line_image(text, height, sigma);
        let cells = line_cells(&img, b, text.len(), 0.0);
        let level = matcher.blur_level(
            text.iter()
                .zip(&cells)
                .filter_map(|(&c, cell)| cell.as_deref().map(|cell| (cell, c))),
        );
        for (i, (&truth, cell)) in text.iter().zip(&cells).enumerate() {
            let cell = cell.as_deref().expect("cell found");
            let (rival, blur) = match truth {
                b'O' => (b'0', 0),
                b'0' if i == 1 => (b'O', 0),
                b'0' => (b'D', level),
                b'D' => (b'0', level),
                b'Q' => (b'0', level),
                c if c.is_ascii_digit() => (letters_like(c)[0], level),
                c => (digit_lookalikes(c)[0], level),
            };
            // Roundness, all that tells `O` from `0`, is lost in small blurred
            // text (there the check digit decides unsure cells).
            if blur == 0 && height < 16 {
                continue;
            }
            let (best, lead) = matcher.decide(cell, rival, &[truth], blur).expect("glyphs");
            assert_eq!(
                char::from(best),
                char::from(truth),
                "height {height}, sigma {sigma}, cell {i}"
            );
            assert!(lead > 0.0, "height {height}, sigma {sigma}, cell {i}");
        }
    }
}

#[test]
fn blank_cells_are_none() {
    let (img, b) = line_image(b"O  0", 20, 0.0);
    let cells = line_cells(&img, b, 4, 0.0);
    assert!(cells[0].is_some() && cells[3].is_some());
    assert!(cells[1].is_none() && cells[2].is_none());
}

#[test]
fn sheared_cells_are_straightened() {
    // Upright strokes leaning by the slope a column shear leaves behind.
    let matcher = GlyphMatcher::new();
    let text = b"I1I1";
    let (img, b) = line_image(text, 24, 0.0);
    let slope = 0.08f32;
    let (w, h) = img.dimensions();
    let yc = (b.y0 + b.y1) as f32 / 2.0;
    let leaning = GrayImage::from_fn(w, h, |x, y| {
        let sx = x as f32 + slope * (y as f32 - yc);
        if sx < 0.0 || sx >= w as f32 - 1.0 {
            Luma([235])
        } else {
            *img.get_pixel(sx.round() as u32, y)
        }
    });
    let cells = line_cells(&leaning, b, text.len(), slope);
    for (&truth, cell) in text.iter().zip(&cells) {
        let rival = if truth == b'I' { b'1' } else { b'I' };
        let cell = cell.as_deref().expect("cell found");
        let (best, _) = matcher.decide(cell, rival, &[truth], 0).expect("glyphs");
        assert_eq!(best, truth);
    }
}

#[test]
fn document_number_lookalikes_are_decided_and_checked() {
    // MRV-B line 2: number ZO1B5G (check digit 6) read as 201856.
    let matcher = GlyphMatcher::new();
    let truth = b"ZO1B5G<<<6UTO9001011M3001019<<<<<<<<".to_vec();
    assert!(check_digit_matches(&truth[..9], truth[9]));
    let mut read = truth.clone();
    read[..6].copy_from_slice(b"201856");
    let (img, b) = line_image(&truth, 20, 0.5);
    let cells = vec![Vec::new(), line_cells(&img, b, truth.len(), 0.0)];
    let mut lines = vec![b"V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<".to_vec(), read];
    let changes = decide_lookalikes(&matcher, MrzFormat::MrvB, &mut lines, &cells);
    assert_eq!(lines[1], truth, "{changes:?}");
    // `1` and `5` are digits in the number and stay.
    assert_eq!(changes.len(), 4);
}

#[test]
fn changes_that_break_a_passing_check_digit_are_undone() {
    // The image shows ZO1B5G, but the text read, 201856, passes its check
    // digit (2): the glyphs must not turn a passing number into a failing one.
    let matcher = GlyphMatcher::new();
    let shown = b"ZO1B5G<<<6UTO9001011M3001019<<<<<<<<".to_vec();
    let read = b"201856<<<2UTO9001011M3001019<<<<<<<<".to_vec();
    assert!(check_digit_matches(&read[..9], read[9]));
    let (img, b) = line_image(&shown, 20, 0.5);
    let cells = vec![Vec::new(), line_cells(&img, b, shown.len(), 0.0)];
    let mut lines = vec![
        b"V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<".to_vec(),
        read.clone(),
    ];
    let changes = decide_lookalikes(&matcher, MrzFormat::MrvB, &mut lines, &cells);
    assert!(changes.is_empty(), "{changes:?}");
    assert_eq!(lines[1], read);
}

#[test]
fn cells_off_the_pitch_are_not_used() {
    // Twelve characters where the format expects nine: no pitch fits them.
    let (img, b) = line_image(b"O0I1Z2S5B8G6", 20, 0.0);
    let cells = line_cells(&img, b, 9, 0.0);
    assert!(cells.iter().all(Option::is_none));
    assert!(line_cells(&img, b, 12, 0.0).iter().all(Option::is_some));
}

#[test]
fn unsure_round_cells_are_settled_by_the_check_digit() {
    // Number O12345676, check digit 0 (read as the letter O). The first cell
    // looks exactly as much like `O` as like `0`; only reading it `O` makes the
    // check digit pass.
    let matcher = GlyphMatcher::new();
    let sharp = |c: u8| {
        matcher
            .templates
            .iter()
            .find(|(k, l, _)| *k == c && *l == 0)
            .map(|(_, _, t)| t.clone())
            .expect("glyph stored")
    };
    let mut both: Vec<f32> = sharp(b'O')
        .iter()
        .zip(sharp(b'0'))
        .map(|(a, b)| a + b)
        .collect();
    let norm = both.iter().map(|v| v * v).sum::<f32>().sqrt();
    both.iter_mut().for_each(|v| *v /= norm);
    let mut cells = vec![Vec::new(), vec![None; 36]];
    cells[1][0] = Some(both);
    let mut lines = vec![
        b"V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<".to_vec(),
        b"012345676OUTO9001011M3001019<<<<<<<<".to_vec(),
    ];
    let changes = decide_lookalikes(&matcher, MrzFormat::MrvB, &mut lines, &cells);
    assert_eq!(changes, vec![(1, 0, b'0', b'O')]);
    assert_eq!(&lines[1][..10], b"O12345676O");
}
