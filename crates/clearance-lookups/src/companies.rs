//! The company index: each company's names (current and earlier) as normalised words, its
//! country, and its full record stored for `GET /lookup/companies/:id`. A search asks tantivy
//! for candidates that share a word or a near spelling of one, then ranks them here on how well
//! every word of the query is met, so that word order, legal forms, `&`/`and` and a typo or two
//! do not matter and a name without its legal form finds the company first.

use std::path::Path;

use clearance_core::lookups::Company;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, STORED, STRING, Schema, Value};
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, TantivyDocument, Term};

use crate::normalize::{company_words, typo_allowance, word_similarity};
use crate::schema;

/// Candidates read from tantivy per search before ranking.
const CANDIDATES: usize = 400;
/// Words of a query searched at most (company names rarely have more than eight).
pub const MAX_QUERY_WORDS: usize = 12;

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    country: Field,
    words: Field,
    /// Stored only: each name's words, one name per line, the current name first.
    names: Field,
    json: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let fields = Fields {
        id: builder.add_text_field("id", STRING | STORED),
        country: builder.add_text_field("country", STRING),
        words: builder.add_text_field("words", schema::words_field()),
        names: builder.add_text_field("names", STORED),
        json: builder.add_text_field("json", STORED),
    };
    (builder.build(), fields)
}

fn fields_of(index: &Index) -> tantivy::Result<Fields> {
    let schema = index.schema();
    Ok(Fields {
        id: schema.get_field("id")?,
        country: schema.get_field("country")?,
        words: schema.get_field("words")?,
        names: schema.get_field("names")?,
        json: schema.get_field("json")?,
    })
}

/// Adds companies to a new index.
pub struct CompanyIndexBuilder {
    index: Index,
    writer: IndexWriter,
    fields: Fields,
}

impl CompanyIndexBuilder {
    pub fn new(dir: Option<&Path>) -> tantivy::Result<Self> {
        let (schema, fields) = schema();
        let index = schema::create(schema, dir)?;
        let writer = schema::writer(&index)?;
        Ok(CompanyIndexBuilder {
            index,
            writer,
            fields,
        })
    }

    pub fn add(&mut self, company: &Company) -> tantivy::Result<()> {
        let f = self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, &company.id);
        doc.add_text(f.country, &company.incorporation_country);
        let mut names = Vec::new();
        for name in std::iter::once(&company.name).chain(&company.previous_names) {
            let words = company_words(name).join(" ");
            doc.add_text(f.words, &words);
            names.push(words);
        }
        doc.add_text(f.names, names.join("\n"));
        let json = serde_json::to_string(company)
            .map_err(|e| tantivy::TantivyError::InternalError(e.to_string()))?;
        doc.add_text(f.json, json);
        self.writer.add_document(doc)?;
        Ok(())
    }

    pub fn finish(mut self) -> tantivy::Result<CompanyIndex> {
        self.writer.commit()?;
        self.writer.wait_merging_threads()?;
        CompanyIndex::from_index(self.index)
    }
}

/// A built company index, searched by any number of requests at once.
pub struct CompanyIndex {
    reader: IndexReader,
    fields: Fields,
}

/// A candidate and how well it matched.
struct Ranked {
    score: f64,
    name_len: usize,
    address: DocAddress,
}

impl CompanyIndex {
    pub fn open(dir: &Path) -> tantivy::Result<Self> {
        Self::from_index(schema::open(dir)?)
    }

    fn from_index(index: Index) -> tantivy::Result<Self> {
        let fields = fields_of(&index)?;
        let reader = schema::reader(&index)?;
        Ok(CompanyIndex { reader, fields })
    }

    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Companies of `country` whose names match `name`, best first.
    pub fn search(&self, name: &str, country: &str, limit: usize) -> tantivy::Result<Vec<Company>> {
        // Each word costs a fuzzy term expansion: a name is searched by its first words only.
        let mut query_words = company_words(name);
        query_words.truncate(MAX_QUERY_WORDS);
        if query_words.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let f = self.fields;
        let mut words: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for word in &query_words {
            let term = Term::from_field_text(f.words, word);
            let exact = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
            words.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(exact), 2.0)),
            ));
            let allowance = typo_allowance(word);
            if allowance > 0 {
                words.push((
                    Occur::Should,
                    Box::new(FuzzyTermQuery::new(term, allowance as u8, true)),
                ));
            }
        }
        let country = Term::from_field_text(f.country, &country.to_ascii_uppercase());
        let query = BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(TermQuery::new(country, IndexRecordOption::Basic)),
            ),
            (Occur::Must, Box::new(BooleanQuery::new(words))),
        ]);
        let searcher = self.reader.searcher();
        let hits = searcher.search(&query, &TopDocs::with_limit(CANDIDATES).order_by_score())?;
        let mut ranked = Vec::new();
        for (_, address) in hits {
            let doc: TantivyDocument = searcher.doc(address)?;
            let names = doc
                .get_first(f.names)
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            let mut best: Option<(f64, usize)> = None;
            for (n, candidate) in names.lines().enumerate() {
                let candidate: Vec<&str> = candidate.split(' ').filter(|w| !w.is_empty()).collect();
                // An earlier name counts a little less than the name the company has now.
                let weight = if n == 0 { 1.0 } else { 0.95 };
                if let Some(score) = name_score(&query_words, &candidate) {
                    let score = score * weight;
                    if best.is_none_or(|(b, _)| score > b) {
                        best = Some((score, candidate.len()));
                    }
                }
            }
            if let Some((score, name_len)) = best {
                ranked.push(Ranked {
                    score,
                    name_len,
                    address,
                });
            }
        }
        ranked.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(a.name_len.cmp(&b.name_len))
                .then(a.address.cmp(&b.address))
        });
        ranked
            .into_iter()
            .take(limit)
            .map(|r| self.company_at(r.address))
            .collect()
    }

    /// One company by its id.
    pub fn get(&self, id: &str) -> tantivy::Result<Option<Company>> {
        let f = self.fields;
        let searcher = self.reader.searcher();
        let query = TermQuery::new(Term::from_field_text(f.id, id), IndexRecordOption::Basic);
        let hits = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        hits.first()
            .map(|(_, address)| self.company_at(*address))
            .transpose()
    }

    fn company_at(&self, address: DocAddress) -> tantivy::Result<Company> {
        let doc: TantivyDocument = self.reader.searcher().doc(address)?;
        let json = doc
            .get_first(self.fields.json)
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        serde_json::from_str(json).map_err(|e| tantivy::TantivyError::InternalError(e.to_string()))
    }
}

/// How well a name's words meet the query's: every query word must find its own name word
/// (exactly, or within its typo allowance), in any order; each name word left over costs a
/// little, so the shortest name that holds the query ranks first. `None` when a query word
/// finds nothing.
pub fn name_score(query: &[String], candidate: &[&str]) -> Option<f64> {
    let mut used = vec![false; candidate.len()];
    let mut total = 0.0;
    let mut in_order = true;
    let mut last = None;
    for word in query {
        let (at, similarity) = candidate
            .iter()
            .enumerate()
            .filter(|(i, _)| !used[*i])
            .map(|(i, c)| (i, word_similarity(word, c)))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))?;
        if similarity <= 0.0 {
            return None;
        }
        used[at] = true;
        in_order &= last.is_none_or(|l| at > l);
        last = Some(at);
        total += similarity;
    }
    let extra = used.iter().filter(|u| !**u).count() as f64;
    let order = if in_order { 0.01 } else { 0.0 };
    Some(total / query.len() as f64 - 0.04 * extra + order)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn company(id: &str, name: &str, country: &str) -> Company {
        Company {
            id: id.into(),
            name: name.into(),
            registration_number: id.into(),
            incorporation_country: country.into(),
            ..Company::default()
        }
    }

    fn names(found: &[Company]) -> Vec<&str> {
        found.iter().map(|c| c.name.as_str()).collect()
    }

    fn index() -> CompanyIndex {
        let mut builder = CompanyIndexBuilder::new(None).unwrap_or_else(|e| panic!("{e}"));
        for c in [
            company("1", "TESCO STORES LIMITED", "GB"),
            company("2", "TESCO PLC", "GB"),
            company("3", "MARKS AND SPENCER GROUP P.L.C.", "GB"),
            company("4", "SPENCER MARKS CONSULTING LTD", "GB"),
            company("5", "TESCO PLC", "IE"),
            Company {
                previous_names: vec!["OLD NAME TRADING LIMITED".into()],
                ..company("6", "NEW NAME LIMITED", "GB")
            },
        ] {
            builder.add(&c).unwrap_or_else(|e| panic!("{e}"));
        }
        builder.finish().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_name_without_its_legal_form_finds_the_company_first() {
        let index = index();
        let found = index
            .search("tesco", "GB", 10)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(names(&found), ["TESCO PLC", "TESCO STORES LIMITED"]);
        let found = index
            .search("Tesco Stores", "gb", 10)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(names(&found)[0], "TESCO STORES LIMITED");
    }

    #[test]
    fn ampersands_word_order_and_typos_are_tolerated() {
        let index = index();
        for query in [
            "Marks & Spencer Group",
            "Spencer and Marks Group plc",
            "Marks & Spenser Grp",
        ] {
            let found = index
                .search(query, "GB", 10)
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                names(&found).first(),
                Some(&"MARKS AND SPENCER GROUP P.L.C."),
                "{query}"
            );
        }
    }

    #[test]
    fn other_countries_and_unrelated_names_stay_out() {
        let index = index();
        let found = index
            .search("tesco", "IE", 10)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, "5");
        assert!(
            index
                .search("Sainsbury", "GB", 10)
                .unwrap_or_default()
                .is_empty()
        );
    }

    #[test]
    fn a_long_query_is_searched_by_its_first_words() {
        let index = index();
        let long = format!("Tesco Stores {}", "wordy ".repeat(80));
        let found = index
            .search(&long, "GB", 10)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(found.is_empty(), "the extra words must still match");
        let found = index
            .search(&"tesco ".repeat(80), "GB", 10)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            found.is_empty(),
            "one word of a name cannot meet twelve of the query"
        );
    }

    #[test]
    fn earlier_names_are_found_and_ids_resolve() {
        let index = index();
        let found = index
            .search("Old Name Trading", "GB", 10)
            .unwrap_or_default();
        assert_eq!(names(&found), ["NEW NAME LIMITED"]);
        let got = index.get("6").unwrap_or_default();
        assert_eq!(got.map(|c| c.name), Some("NEW NAME LIMITED".into()));
        assert!(index.get("nope").unwrap_or_default().is_none());
    }
}
