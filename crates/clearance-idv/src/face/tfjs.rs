//! Reads TF.js "weights-only" models: a JSON manifest naming each tensor's shape and
//! quantisation, and the binary shards it points to.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use crate::error::{IdvError, Result};

/// One named tensor, dequantised to `f32`, in the manifest's (TensorFlow) layout.
pub struct Weight {
    pub shape: Vec<usize>,
    pub values: Vec<f32>,
}

/// Every tensor of a manifest, by name.
pub struct Weights(HashMap<String, Weight>);

impl Weights {
    /// Tensors read by another reader (see `pth`).
    pub fn new(tensors: HashMap<String, Weight>) -> Weights {
        Weights(tensors)
    }

    /// Loads `manifest` and the shards it lists (paths relative to the manifest's folder).
    pub fn load(manifest: &Path) -> Result<Weights> {
        let bad = |e: String| IdvError::Model(format!("{}: {e}", manifest.display()));
        let text = std::fs::read(manifest).map_err(|e| bad(e.to_string()))?;
        let groups: Value = serde_json::from_slice(&text).map_err(|e| bad(e.to_string()))?;
        let dir = manifest.parent().unwrap_or(Path::new("."));
        let mut out = HashMap::new();
        for group in groups
            .as_array()
            .ok_or_else(|| bad("not an array".into()))?
        {
            let mut bytes = Vec::new();
            for path in group["paths"].as_array().into_iter().flatten() {
                let name = path.as_str().ok_or_else(|| bad("bad path".into()))?;
                let shard = std::fs::read(dir.join(name)).map_err(|e| bad(e.to_string()))?;
                bytes.extend_from_slice(&shard);
            }
            let mut at = 0;
            for entry in group["weights"].as_array().into_iter().flatten() {
                let (name, weight, used) =
                    decode(entry, &bytes[at.min(bytes.len())..]).map_err(|e| bad(e.to_string()))?;
                at += used;
                out.insert(name, weight);
            }
        }
        Ok(Weights(out))
    }

    /// The tensor `name`, checked to have `rank` dimensions.
    pub fn get(&self, name: &str, rank: usize) -> Result<&Weight> {
        match self.0.get(name) {
            Some(w) if w.shape.len() == rank => Ok(w),
            Some(w) => Err(IdvError::Model(format!(
                "{name} has shape {:?}, rank {rank} expected",
                w.shape
            ))),
            None => Err(IdvError::Model(format!("the model has no tensor {name}"))),
        }
    }
}

/// Decodes one manifest entry from the start of `bytes`: its name, values and bytes used.
fn decode(entry: &Value, bytes: &[u8]) -> std::result::Result<(String, Weight, usize), String> {
    let name = entry["name"]
        .as_str()
        .ok_or("an entry has no name")?
        .to_owned();
    let shape: Vec<usize> = entry["shape"]
        .as_array()
        .ok_or("an entry has no shape")?
        .iter()
        .map(|d| d.as_u64().map(|d| d as usize).ok_or("bad dimension"))
        .collect::<std::result::Result<_, _>>()?;
    let count: usize = shape.iter().product();
    if entry["dtype"].as_str() != Some("float32") {
        return Err(format!("{name}: only float32 tensors are supported"));
    }
    let quantisation = &entry["quantization"];
    let (values, used) = match quantisation["dtype"].as_str() {
        None => {
            let raw = bytes.get(..count * 4).ok_or("the shards are too short")?;
            let values = raw
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            (values, count * 4)
        }
        Some(kind @ ("uint8" | "uint16")) => {
            let scale = quantisation["scale"].as_f64().ok_or("no scale")?;
            let min = quantisation["min"].as_f64().ok_or("no min")?;
            let width = if kind == "uint8" { 1 } else { 2 };
            let raw = bytes
                .get(..count * width)
                .ok_or("the shards are too short")?;
            let values = raw
                .chunks_exact(width)
                .map(|b| {
                    let q = if width == 1 {
                        f64::from(b[0])
                    } else {
                        f64::from(u16::from_le_bytes([b[0], b[1]]))
                    };
                    (min + scale * q) as f32
                })
                .collect();
            (values, count * width)
        }
        Some(other) => return Err(format!("{name}: quantisation {other} is not supported")),
    };
    Ok((name, Weight { shape, values }, used))
}
