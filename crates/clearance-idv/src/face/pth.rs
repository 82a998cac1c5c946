//! Reads PyTorch state dicts saved in the legacy (pre-1.6, non-zip) format: a run of pickles
//! (magic number, protocol version, system info, the state dict, its storage keys) followed by
//! each storage's raw little-endian bytes. Only what a state dict of float tensors needs is
//! understood; anything else is refused with a reason, never guessed at.
//!
//! The pickle machine keeps values, not references: a memoised object that is changed after
//! it was memoised is not seen changed through the memo. State dicts never do that.

use std::collections::HashMap;

use super::tfjs::{Weight, Weights};
use crate::error::{IdvError, Result};

/// The number `torch.save` writes first in the legacy format.
const MAGIC: i128 = 0x1950a86a20f9469cfc6c;

/// A pickled value, as far as state dicts use them.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    None,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Tuple(Vec<Value>),
    List(Vec<Value>),
    Dict(Vec<(Value, Value)>),
    /// `module.name`, as `GLOBAL` names it.
    Global(String, String),
    /// A callable applied to its arguments (`REDUCE`) that this reader does not evaluate.
    Call(Box<Value>, Box<Value>),
    /// A persistent id (`BINPERSID`): torch's reference to a storage.
    Persistent(Box<Value>),
    /// The stack's mark.
    Mark,
}

/// A tensor as the state dict describes it, before its storage's bytes are read.
struct TensorRef {
    storage: String,
    offset: usize,
    size: Vec<usize>,
    stride: Vec<usize>,
}

/// A storage named by the state dict: its element type's width and whether it holds floats.
struct StorageRef {
    kind: StorageKind,
}

#[derive(Clone, Copy, PartialEq)]
enum StorageKind {
    Float,
    Double,
    Long,
    Int,
}

impl StorageKind {
    fn parse(name: &str) -> Option<StorageKind> {
        match name {
            "FloatStorage" => Some(StorageKind::Float),
            "DoubleStorage" => Some(StorageKind::Double),
            "LongStorage" => Some(StorageKind::Long),
            "IntStorage" => Some(StorageKind::Int),
            _ => None,
        }
    }

    fn width(self) -> usize {
        match self {
            StorageKind::Float | StorageKind::Int => 4,
            StorageKind::Double | StorageKind::Long => 8,
        }
    }

    fn read(self, b: &[u8]) -> f32 {
        match self {
            StorageKind::Float => f32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            StorageKind::Int => i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f32,
            StorageKind::Double => {
                f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32
            }
            StorageKind::Long => {
                i64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32
            }
        }
    }
}

/// Reads a legacy state dict file. Keys keep their names, except a leading `module.` (left by
/// training under `DataParallel`), which is dropped.
pub fn load(path: &std::path::Path) -> Result<Weights> {
    let bytes =
        std::fs::read(path).map_err(|e| IdvError::Model(format!("{}: {e}", path.display())))?;
    parse(&bytes)
        .map(Weights::new)
        .map_err(|e| IdvError::Model(format!("{}: {e}", path.display())))
}

/// Parses a legacy state dict into its tensors, as `f32` in PyTorch's (row-major) layout.
pub fn parse(bytes: &[u8]) -> std::result::Result<HashMap<String, Weight>, String> {
    let mut at = 0;
    let magic = unpickle(bytes, &mut at)?;
    if magic != Value::Int(MAGIC) {
        return Err("not a PyTorch legacy file (magic number)".into());
    }
    let _protocol = unpickle(bytes, &mut at)?;
    let info = unpickle(bytes, &mut at)?;
    if let Value::Dict(entries) = &info {
        let little = entries
            .iter()
            .find(|(k, _)| *k == Value::Str("little_endian".into()));
        if let Some((_, v)) = little
            && *v != Value::Bool(true)
        {
            return Err("big-endian files are not supported".into());
        }
    }
    let dict = match unpickle(bytes, &mut at)? {
        Value::Dict(entries) => entries,
        other => return Err(format!("the file holds {}, not a state dict", kind(&other))),
    };
    let mut storages: HashMap<String, StorageRef> = HashMap::new();
    let mut tensors = Vec::new();
    for (key, value) in dict {
        let Value::Str(name) = key else {
            return Err("a state dict key is not a string".into());
        };
        let (tensor, storage) = tensor_ref(&value).map_err(|e| format!("{name}: {e}"))?;
        storages.entry(tensor.storage.clone()).or_insert(storage);
        let name = name.strip_prefix("module.").unwrap_or(&name).to_owned();
        tensors.push((name, tensor));
    }
    let keys = match unpickle(bytes, &mut at)? {
        Value::List(keys) => keys,
        other => {
            return Err(format!(
                "storage keys: {} found, a list expected",
                kind(&other)
            ));
        }
    };
    let mut data: HashMap<String, Vec<f32>> = HashMap::new();
    for key in keys {
        let Value::Str(key) = key else {
            return Err("a storage key is not a string".into());
        };
        let count = read_u64(bytes, &mut at)? as usize;
        let Some(storage) = storages.get(&key) else {
            return Err(format!("storage {key} is not used by any tensor"));
        };
        let width = storage.kind.width();
        let len = count
            .checked_mul(width)
            .ok_or_else(|| format!("storage {key} is too large"))?;
        let raw = take(bytes, &mut at, len)?;
        data.insert(
            key,
            raw.chunks_exact(width)
                .map(|b| storage.kind.read(b))
                .collect(),
        );
    }
    let mut out = HashMap::new();
    for (name, tensor) in tensors {
        let storage = data
            .get(&tensor.storage)
            .ok_or_else(|| format!("{name}: storage {} has no data", tensor.storage))?;
        let values = gather(storage, &tensor).map_err(|e| format!("{name}: {e}"))?;
        out.insert(
            name,
            Weight {
                shape: tensor.size,
                values,
            },
        );
    }
    Ok(out)
}

/// Reads `_rebuild_tensor_v2(storage, offset, size, stride, …)` and its storage's type.
fn tensor_ref(value: &Value) -> std::result::Result<(TensorRef, StorageRef), String> {
    let Value::Call(callable, args) = value else {
        return Err(format!("{} found, a tensor expected", kind(value)));
    };
    match callable.as_ref() {
        Value::Global(m, n) if m == "torch._utils" && n == "_rebuild_tensor_v2" => {}
        Value::Global(m, n) => return Err(format!("{m}.{n} is not a tensor constructor")),
        other => return Err(format!("{} is not a tensor constructor", kind(other))),
    }
    let Value::Tuple(args) = args.as_ref() else {
        return Err("tensor arguments are not a tuple".into());
    };
    let [Value::Persistent(pid), Value::Int(offset), size, stride, ..] = args.as_slice() else {
        return Err("unexpected tensor arguments".into());
    };
    let Value::Tuple(pid) = pid.as_ref() else {
        return Err("unexpected storage reference".into());
    };
    let [
        Value::Str(tag),
        Value::Global(_, type_name),
        Value::Str(key),
        ..,
    ] = pid.as_slice()
    else {
        return Err("unexpected storage reference".into());
    };
    if tag != "storage" {
        return Err(format!("persistent id {tag} is not a storage"));
    }
    let storage_kind =
        StorageKind::parse(type_name).ok_or_else(|| format!("{type_name} is not supported"))?;
    let dims = |v: &Value| -> std::result::Result<Vec<usize>, String> {
        let Value::Tuple(items) = v else {
            return Err("a size or stride is not a tuple".into());
        };
        items
            .iter()
            .map(|d| match d {
                Value::Int(d) => {
                    usize::try_from(*d).map_err(|_| "a dimension is out of range".to_owned())
                }
                _ => Err("a dimension is not a non-negative integer".to_owned()),
            })
            .collect()
    };
    let (size, stride) = (dims(size)?, dims(stride)?);
    if size.len() != stride.len() {
        return Err("size and stride differ in rank".into());
    }
    Ok((
        TensorRef {
            storage: key.clone(),
            offset: usize::try_from(*offset).map_err(|_| "negative storage offset")?,
            size,
            stride,
        },
        StorageRef { kind: storage_kind },
    ))
}

/// The tensor's elements in row-major order, read from its storage through its strides.
fn gather(storage: &[f32], t: &TensorRef) -> std::result::Result<Vec<f32>, String> {
    let count = t
        .size
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or("the tensor is too large")?;
    if count > storage.len() {
        return Err("the tensor is larger than its storage".into());
    }
    let mut out = Vec::with_capacity(count);
    let mut index = vec![0usize; t.size.len()];
    let past = "a stride reads past the storage";
    for _ in 0..count {
        let at = index
            .iter()
            .zip(&t.stride)
            .try_fold(t.offset, |at, (i, s)| at.checked_add(i.checked_mul(*s)?))
            .ok_or(past)?;
        out.push(*storage.get(at).ok_or(past)?);
        for d in (0..index.len()).rev() {
            index[d] += 1;
            if index[d] < t.size[d] {
                break;
            }
            index[d] = 0;
        }
    }
    Ok(out)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::None => "None",
        Value::Bool(_) => "a boolean",
        Value::Int(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Str(_) => "a string",
        Value::Tuple(_) => "a tuple",
        Value::List(_) => "a list",
        Value::Dict(_) => "a dict",
        Value::Global(..) => "a global",
        Value::Call(..) => "an object",
        Value::Persistent(_) => "a persistent id",
        Value::Mark => "a mark",
    }
}

fn take<'a>(bytes: &'a [u8], at: &mut usize, n: usize) -> std::result::Result<&'a [u8], String> {
    let end = at.checked_add(n).ok_or("the file is truncated")?;
    let slice = bytes.get(*at..end).ok_or("the file is truncated")?;
    *at = end;
    Ok(slice)
}

fn read_u64(bytes: &[u8], at: &mut usize) -> std::result::Result<u64, String> {
    let b = take(bytes, at, 8)?;
    Ok(u64::from_le_bytes([
        b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
    ]))
}

fn read_u32(bytes: &[u8], at: &mut usize) -> std::result::Result<u32, String> {
    let b = take(bytes, at, 4)?;
    Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn read_line(bytes: &[u8], at: &mut usize) -> std::result::Result<String, String> {
    let rest = bytes.get(*at..).ok_or("the file is truncated")?;
    let end = rest
        .iter()
        .position(|&b| b == b'\n')
        .ok_or("the file is truncated")?;
    let line = std::str::from_utf8(&rest[..end]).map_err(|_| "a name is not UTF-8")?;
    *at += end + 1;
    Ok(line.to_owned())
}

/// The longest object nesting or stack this reader accepts: a state dict needs a few dozen.
const MAX_STACK: usize = 100_000;

/// Runs one pickle from `at` to its `STOP`, returning the value it builds.
fn unpickle(bytes: &[u8], at: &mut usize) -> std::result::Result<Value, String> {
    let mut stack: Vec<Value> = Vec::new();
    let mut memo: HashMap<u32, Value> = HashMap::new();
    loop {
        if stack.len() > MAX_STACK {
            return Err("the pickle's stack is too deep".into());
        }
        let op = *take(bytes, at, 1)?.first().ok_or("the file is truncated")?;
        match op {
            0x80 => {
                take(bytes, at, 1)?;
            }
            b'.' => return stack.pop().ok_or_else(|| "an empty pickle".into()),
            b'N' => stack.push(Value::None),
            0x88 => stack.push(Value::Bool(true)),
            0x89 => stack.push(Value::Bool(false)),
            b'K' => stack.push(Value::Int(i128::from(take(bytes, at, 1)?[0]))),
            b'M' => {
                let b = take(bytes, at, 2)?;
                stack.push(Value::Int(i128::from(u16::from_le_bytes([b[0], b[1]]))));
            }
            b'J' => {
                let v = read_u32(bytes, at)? as i32;
                stack.push(Value::Int(i128::from(v)));
            }
            0x8a => {
                let n = usize::from(take(bytes, at, 1)?[0]);
                stack.push(long(take(bytes, at, n)?)?);
            }
            b'G' => {
                let b = take(bytes, at, 8)?;
                let v = f64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
                stack.push(Value::Float(v));
            }
            b'X' | b'T' | b'U' => {
                let n = if op == b'U' {
                    usize::from(take(bytes, at, 1)?[0])
                } else {
                    read_u32(bytes, at)? as usize
                };
                let raw = take(bytes, at, n)?;
                let s = std::str::from_utf8(raw).map_err(|_| "a string is not UTF-8")?;
                stack.push(Value::Str(s.to_owned()));
            }
            b'}' => stack.push(Value::Dict(Vec::new())),
            b']' => stack.push(Value::List(Vec::new())),
            b')' => stack.push(Value::Tuple(Vec::new())),
            b'(' => stack.push(Value::Mark),
            b'q' => {
                let i = u32::from(take(bytes, at, 1)?[0]);
                memo.insert(i, top(&stack)?.clone());
            }
            b'r' => {
                let i = read_u32(bytes, at)?;
                memo.insert(i, top(&stack)?.clone());
            }
            b'h' | b'j' => {
                let i = if op == b'h' {
                    u32::from(take(bytes, at, 1)?[0])
                } else {
                    read_u32(bytes, at)?
                };
                let v = memo.get(&i).ok_or("a memo entry is missing")?.clone();
                stack.push(v);
            }
            b't' => {
                let items = pop_mark(&mut stack)?;
                stack.push(Value::Tuple(items));
            }
            0x85..=0x87 => {
                let n = usize::from(op - 0x84);
                if stack.len() < n {
                    return Err("the pickle's stack is short".into());
                }
                let items = stack.split_off(stack.len() - n);
                stack.push(Value::Tuple(items));
            }
            b'a' => {
                let item = pop(&mut stack)?;
                match stack.last_mut() {
                    Some(Value::List(l)) => l.push(item),
                    _ => return Err("APPEND to a non-list".into()),
                }
            }
            b'e' => {
                let items = pop_mark(&mut stack)?;
                match stack.last_mut() {
                    Some(Value::List(l)) => l.extend(items),
                    _ => return Err("APPENDS to a non-list".into()),
                }
            }
            b's' => {
                let v = pop(&mut stack)?;
                let k = pop(&mut stack)?;
                match stack.last_mut() {
                    Some(Value::Dict(d)) => d.push((k, v)),
                    _ => return Err("SETITEM on a non-dict".into()),
                }
            }
            b'u' => {
                let items = pop_mark(&mut stack)?;
                if items.len() % 2 != 0 {
                    return Err("SETITEMS with an odd number of items".into());
                }
                let Some(Value::Dict(d)) = stack.last_mut() else {
                    return Err("SETITEMS on a non-dict".into());
                };
                let mut it = items.into_iter();
                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                    d.push((k, v));
                }
            }
            b'c' => {
                let module = read_line(bytes, at)?;
                let name = read_line(bytes, at)?;
                stack.push(Value::Global(module, name));
            }
            b'R' | 0x81 => {
                let args = pop(&mut stack)?;
                let callable = pop(&mut stack)?;
                stack.push(reduce(callable, args));
            }
            b'Q' => {
                let pid = pop(&mut stack)?;
                stack.push(Value::Persistent(Box::new(pid)));
            }
            // An object's state (an OrderedDict's `_metadata`): not needed, dropped.
            b'b' => {
                pop(&mut stack)?;
                top(&stack)?;
            }
            b'0' => {
                pop(&mut stack)?;
            }
            b'1' => {
                pop_mark(&mut stack)?;
            }
            b'2' => {
                let v = top(&stack)?.clone();
                stack.push(v);
            }
            other => return Err(format!("pickle opcode 0x{other:02x} is not supported")),
        }
    }
}

/// `REDUCE`: an `OrderedDict()` becomes a dict (its items follow); anything else stays a call.
fn reduce(callable: Value, args: Value) -> Value {
    match (&callable, &args) {
        (Value::Global(m, n), Value::Tuple(a))
            if m == "collections" && n == "OrderedDict" && a.is_empty() =>
        {
            Value::Dict(Vec::new())
        }
        _ => Value::Call(Box::new(callable), Box::new(args)),
    }
}

/// A little-endian two's-complement integer of up to sixteen bytes (`LONG1`; torch's magic
/// number takes ten).
fn long(b: &[u8]) -> std::result::Result<Value, String> {
    if b.len() > 16 {
        return Err("an integer is too long".into());
    }
    let mut v: i128 = 0;
    for (i, &byte) in b.iter().enumerate() {
        v |= i128::from(byte) << (8 * i);
    }
    if b.len() == 16 {
        return Ok(Value::Int(v));
    }
    if b.last().is_some_and(|&last| last & 0x80 != 0) {
        v -= 1i128 << (8 * b.len());
    }
    Ok(Value::Int(v))
}

fn top(stack: &[Value]) -> std::result::Result<&Value, String> {
    stack
        .last()
        .ok_or_else(|| "the pickle's stack is empty".into())
}

fn pop(stack: &mut Vec<Value>) -> std::result::Result<Value, String> {
    match stack.pop() {
        Some(Value::Mark) | None => Err("the pickle's stack is empty".into()),
        Some(v) => Ok(v),
    }
}

fn pop_mark(stack: &mut Vec<Value>) -> std::result::Result<Vec<Value>, String> {
    let mark = stack
        .iter()
        .rposition(|v| *v == Value::Mark)
        .ok_or("no mark on the pickle's stack")?;
    let items = stack.split_off(mark + 1);
    stack.pop();
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_of_any_width_read_as_python_does() {
        assert_eq!(long(&[0x6c, 0xfc]), Ok(Value::Int(-916)));
        assert_eq!(long(&[0xff, 0x00]), Ok(Value::Int(255)));
        assert_eq!(long(&[]), Ok(Value::Int(0)));
    }

    #[test]
    fn a_strided_tensor_is_read_in_row_major_order() {
        // A 2×3 view of a transposed 3×2 storage.
        let storage = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let t = TensorRef {
            storage: String::new(),
            offset: 0,
            size: vec![2, 3],
            stride: vec![1, 2],
        };
        assert_eq!(gather(&storage, &t), Ok(vec![1.0, 3.0, 5.0, 2.0, 4.0, 6.0]));
    }

    #[test]
    fn a_stride_that_overflows_is_refused_not_a_panic() {
        let t = TensorRef {
            storage: String::new(),
            offset: 0,
            size: vec![2, 2],
            stride: vec![usize::MAX, 1],
        };
        assert!(gather(&[0.0; 8], &t).is_err());
    }

    #[test]
    fn a_stride_past_the_storage_is_refused() {
        let t = TensorRef {
            storage: String::new(),
            offset: 4,
            size: vec![2],
            stride: vec![1],
        };
        assert!(gather(&[0.0; 5], &t).is_err());
    }
}
