//! Times the device photo pipeline (EXIF read, decode, orient, downscale to ~2 MP, JPEG q85 encode, sha256).
//! With no argument a synthetic 4000×3000 camera-like JPEG is generated; pass a path to time a real photo.
#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is the test failing, with its location

use std::time::{Duration, Instant};

use image::{ExtendedColorType, codecs::jpeg::JpegEncoder};
use ruhu_core::device::photos;

fn synthetic_12mp() -> Vec<u8> {
    let (w, h) = (4000u32, 3000u32);
    let mut px = Vec::with_capacity((w * h * 3) as usize);
    let mut seed = 0x9e37_79b9u32;
    for y in 0..h {
        for x in 0..w {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let n = (seed & 0x0f) as u8;
            px.extend_from_slice(&[((x / 7) as u8).wrapping_add(n), ((y / 5) as u8) ^ n, ((x + y) / 11) as u8]);
        }
    }
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 92).encode(&px, w, h, ExtendedColorType::Rgb8).expect("encode synthetic photo");
    out
}

fn main() {
    let input = match std::env::args().nth(1) {
        Some(path) => std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}")),
        None => synthetic_12mp(),
    };
    let runs = 5;
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let out = photos::process_photo_bytes(&input).expect("pipeline");
        times.push(t.elapsed());
        last = Some(out);
    }
    let t = Instant::now();
    let decoded = image::load_from_memory_with_format(&input, image::ImageFormat::Jpeg).expect("decode");
    let decode = t.elapsed();
    let out = last.expect("at least one run");
    times.sort();
    let median = times[times.len() / 2];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "input {} bytes, {}x{} -> output {} bytes, {}x{} ({:.2} MP)",
        input.len(),
        decoded.width(),
        decoded.height(),
        out.jpeg.len(),
        out.width,
        out.height,
        (out.width as f64 * out.height as f64) / 1e6
    );
    println!(
        "pipeline over {runs} runs: median {:.0} ms, min {:.0} ms, max {:.0} ms (decode alone {:.0} ms)",
        ms(median),
        ms(times[0]),
        ms(times[times.len() - 1]),
        ms(decode)
    );
}
