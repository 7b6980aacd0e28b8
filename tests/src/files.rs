//! Real image files, as a phone's camera and signature pad would produce them.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::{ImageFormat, Rgb, RgbImage};

/// A camera-like JPEG of `width`×`height` with a pattern that depends on `seed` (so every photo differs).
pub fn camera_jpeg(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, y| {
        let v = x.wrapping_mul(31).wrapping_add(y.wrapping_mul(17)).wrapping_add(seed.wrapping_mul(101));
        Rgb([(v % 251) as u8, ((x ^ y ^ seed) % 241) as u8, ((x + y) / 7 % 239) as u8])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Jpeg).expect("encode JPEG");
    out.into_inner()
}

/// A signature-pad PNG: a stroke on white.
pub fn signature_png(seed: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(480, 160, |x, y| {
        let on_stroke = (y as i64 - 80 - ((x as i64 + seed as i64 * 7) % 60 - 30)).abs() < 3;
        if on_stroke { Rgb([10, 10, 10]) } else { Rgb([255, 255, 255]) }
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).expect("encode PNG");
    out.into_inner()
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write fixture file");
    path
}
