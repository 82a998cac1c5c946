//! How a dataset's records are kept in the store: JSON lines, gzip-compressed, in chunks of a
//! bounded number of records, with a SHA-256 over the chunks naming the version. Every node reads
//! the same chunks and so builds the same index.

use std::io::{BufRead, BufReader, Write};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

/// Records per chunk: chunks stay a few megabytes at most, one row each.
pub const RECORDS_PER_CHUNK: usize = 20_000;

/// Builds a dataset's chunks from records pushed one at a time.
pub struct ChunkWriter {
    chunks: Vec<Vec<u8>>,
    current: GzEncoder<Vec<u8>>,
    in_current: usize,
    records: usize,
}

/// A dataset ready to store.
pub struct EncodedDataset {
    pub chunks: Vec<Vec<u8>>,
    pub records: usize,
    pub content_hash: String,
}

impl Default for ChunkWriter {
    fn default() -> Self {
        ChunkWriter {
            chunks: Vec::new(),
            current: GzEncoder::new(Vec::new(), Compression::fast()),
            in_current: 0,
            records: 0,
        }
    }
}

impl ChunkWriter {
    pub fn push<T: Serialize>(&mut self, record: &T) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.current, record)?;
        self.current.write_all(b"\n")?;
        self.in_current += 1;
        self.records += 1;
        if self.in_current == RECORDS_PER_CHUNK {
            self.seal()?;
        }
        Ok(())
    }

    fn seal(&mut self) -> std::io::Result<()> {
        let full = std::mem::replace(
            &mut self.current,
            GzEncoder::new(Vec::new(), Compression::fast()),
        );
        self.chunks.push(full.finish()?);
        self.in_current = 0;
        Ok(())
    }

    pub fn finish(mut self) -> std::io::Result<EncodedDataset> {
        if self.in_current > 0 {
            self.seal()?;
        }
        let mut hash = Sha256::new();
        for chunk in &self.chunks {
            hash.update((chunk.len() as u64).to_le_bytes());
            hash.update(chunk);
        }
        Ok(EncodedDataset {
            chunks: self.chunks,
            records: self.records,
            content_hash: hex::encode(hash.finalize()),
        })
    }
}

/// Reads every record of one chunk, in order.
pub fn read_chunk<T: DeserializeOwned>(
    chunk: &[u8],
    mut each: impl FnMut(T),
) -> std::io::Result<()> {
    let reader = BufReader::new(GzDecoder::new(chunk));
    for line in reader.lines() {
        let line = line?;
        if line.is_empty() {
            continue;
        }
        each(serde_json::from_str(&line)?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_come_back_in_order_across_chunks() {
        let mut writer = ChunkWriter::default();
        for n in 0..(RECORDS_PER_CHUNK + 3) {
            writer.push(&n).unwrap_or_else(|e| panic!("{e}"));
        }
        let encoded = writer.finish().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(encoded.chunks.len(), 2);
        assert_eq!(encoded.records, RECORDS_PER_CHUNK + 3);
        let mut back = Vec::new();
        for chunk in &encoded.chunks {
            read_chunk(chunk, |n: usize| back.push(n)).unwrap_or_else(|e| panic!("{e}"));
        }
        assert_eq!(back, (0..RECORDS_PER_CHUNK + 3).collect::<Vec<_>>());
    }
}
