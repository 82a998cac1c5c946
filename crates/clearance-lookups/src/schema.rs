//! What the two tantivy indexes share: a tokenizer that splits on spaces only (the words are
//! normalised before they reach tantivy, by `normalize`), and how an index is opened.

use std::path::Path;

use tantivy::query::{Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::{TextAnalyzer, WhitespaceTokenizer};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term};

/// The tokenizer of every word field.
pub const WORDS: &str = "clearance_words";

/// Options of a field of normalised words, searched by term and by fuzzy term.
pub fn words_field() -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(WORDS)
            .set_index_option(IndexRecordOption::WithFreqs),
    )
}

/// Memory the writer may use while building: bounded, so a million companies build in a few
/// hundred megabytes.
const WRITER_BUDGET: usize = 128 * 1024 * 1024;

/// Creates an index in `dir` (in memory when `None`) with the words tokenizer registered.
pub fn create(schema: Schema, dir: Option<&Path>) -> tantivy::Result<Index> {
    let index = match dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            Index::create_in_dir(dir, schema)?
        }
        None => Index::create_in_ram(schema),
    };
    register(&index);
    Ok(index)
}

/// Opens an index a node built earlier in `dir`.
pub fn open(dir: &Path) -> tantivy::Result<Index> {
    let index = Index::open_in_dir(dir)?;
    register(&index);
    Ok(index)
}

fn register(index: &Index) {
    index.tokenizers().register(
        WORDS,
        TextAnalyzer::builder(WhitespaceTokenizer::default()).build(),
    );
}

pub fn writer(index: &Index) -> tantivy::Result<IndexWriter> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get().min(4))
        .unwrap_or(1);
    index.writer_with_num_threads(threads, WRITER_BUDGET)
}

/// A reader that never reloads: an index, once built, does not change (a new dataset version
/// builds a new index).
pub fn reader(index: &Index) -> tantivy::Result<IndexReader> {
    index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
}

/// A query for documents whose `field` holds exactly `text` (an untokenised field, or one word
/// of a words field).
pub fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::Basic,
    ))
}
