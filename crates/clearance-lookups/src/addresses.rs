//! The address index: house-level records (OpenAddresses), named streets within postcode
//! districts (OS Open Names) and postcodes with their places (ONSPD). A search narrows to the
//! country and the postcode (or, for street records, the postcode's district), then keeps the
//! records whose street meets every street word of the query's line and whose house number, when
//! the record has one, is the query's.

use std::collections::HashSet;
use std::path::Path;

use clearance_core::lookups::{AddressPrecision, AddressQuery, AddressRecord, LookupAddress};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, STORED, STRING, Schema, Value};
use tantivy::{Index, IndexReader, IndexWriter, TantivyDocument, Term};

use crate::companies::name_score;
use crate::normalize::{postcode, street_words, typo_allowance, uk_outward};
use crate::schema;

/// Candidates read from tantivy per search before ranking.
const CANDIDATES: usize = 500;

#[derive(Clone, Copy)]
struct Fields {
    country: Field,
    postcode: Field,
    district: Field,
    precision: Field,
    street: Field,
    json: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let fields = Fields {
        country: builder.add_text_field("country", STRING),
        postcode: builder.add_text_field("postcode", STRING),
        district: builder.add_text_field("district", STRING),
        precision: builder.add_text_field("precision", STRING),
        street: builder.add_text_field("street", schema::words_field()),
        json: builder.add_text_field("json", STORED),
    };
    (builder.build(), fields)
}

fn fields_of(index: &Index) -> tantivy::Result<Fields> {
    let schema = index.schema();
    Ok(Fields {
        country: schema.get_field("country")?,
        postcode: schema.get_field("postcode")?,
        district: schema.get_field("district")?,
        precision: schema.get_field("precision")?,
        street: schema.get_field("street")?,
        json: schema.get_field("json")?,
    })
}

/// A postcode as indexed and searched: normalised; US ZIP+4 codes by their five digits.
fn postcode_key(country: &str, text: &str) -> String {
    let key = postcode(text);
    if country == "US" && key.len() == 9 && key.chars().all(|c| c.is_ascii_digit()) {
        return key[..5].to_owned();
    }
    key
}

fn district_key(country: &str, record: &AddressRecord) -> Option<String> {
    if let Some(d) = &record.postcode_district {
        return Some(postcode(d));
    }
    let pc = postcode(record.address.postal_code.as_deref()?);
    (country == "GB").then(|| uk_outward(&pc)).flatten()
}

fn precision_key(p: AddressPrecision) -> &'static str {
    match p {
        AddressPrecision::House => "house",
        AddressPrecision::Street => "street",
        AddressPrecision::Postcode => "postcode",
    }
}

/// Adds address records to a new index.
pub struct AddressIndexBuilder {
    index: Index,
    writer: IndexWriter,
    fields: Fields,
}

impl AddressIndexBuilder {
    pub fn new(dir: Option<&Path>) -> tantivy::Result<Self> {
        let (schema, fields) = schema();
        let index = schema::create(schema, dir)?;
        let writer = schema::writer(&index)?;
        Ok(AddressIndexBuilder {
            index,
            writer,
            fields,
        })
    }

    pub fn add(&mut self, record: &AddressRecord) -> tantivy::Result<()> {
        let f = self.fields;
        let country = record
            .address
            .country
            .as_deref()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let mut doc = TantivyDocument::default();
        doc.add_text(f.country, &country);
        doc.add_text(f.precision, precision_key(record.precision));
        if let Some(pc) = &record.address.postal_code {
            doc.add_text(f.postcode, postcode_key(&country, pc));
        }
        if let Some(district) = district_key(&country, record) {
            doc.add_text(f.district, district);
        }
        if let Some(line) = &record.address.line {
            doc.add_text(f.street, street_words(line).0.join(" "));
        }
        let json = serde_json::to_string(record)
            .map_err(|e| tantivy::TantivyError::InternalError(e.to_string()))?;
        doc.add_text(f.json, json);
        self.writer.add_document(doc)?;
        Ok(())
    }

    pub fn finish(mut self) -> tantivy::Result<AddressIndex> {
        self.writer.commit()?;
        self.writer.wait_merging_threads()?;
        AddressIndex::from_index(self.index)
    }
}

/// A built address index.
pub struct AddressIndex {
    reader: IndexReader,
    fields: Fields,
}

impl AddressIndex {
    pub fn open(dir: &Path) -> tantivy::Result<Self> {
        Self::from_index(schema::open(dir)?)
    }

    fn from_index(index: Index) -> tantivy::Result<Self> {
        let fields = fields_of(&index)?;
        let reader = schema::reader(&index)?;
        Ok(AddressIndex { reader, fields })
    }

    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Addresses matching `query`, best first. Where the postcode data covers the queried
    /// postcode's district, a postcode it does not hold matches no street record (it does not
    /// exist); where it does not cover the district, nothing can be said and streets answer.
    pub fn search(
        &self,
        query: &AddressQuery,
        limit: usize,
    ) -> tantivy::Result<Vec<LookupAddress>> {
        let f = self.fields;
        let country = query.country.to_ascii_uppercase();
        let pc = postcode_key(&country, &query.postal_code);
        let (mut street, numbers) = street_words(&query.line);
        street.truncate(crate::companies::MAX_QUERY_WORDS);
        if pc.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let mut place: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Should, schema::term(f.postcode, &pc))];
        let district = (country == "GB").then(|| uk_outward(&pc)).flatten();
        if let Some(d) = &district {
            place.push((Occur::Should, schema::term(f.district, d)));
        }
        let mut words: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for word in &street {
            let term = Term::from_field_text(f.street, word);
            words.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                    2.0,
                )),
            ));
            let allowance = typo_allowance(word);
            if allowance > 0 {
                words.push((
                    Occur::Should,
                    Box::new(FuzzyTermQuery::new(term, allowance as u8, true)),
                ));
            }
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, schema::term(f.country, &country)),
            (Occur::Must, Box::new(BooleanQuery::new(place))),
        ];
        if !words.is_empty() {
            clauses.push((Occur::Should, Box::new(BooleanQuery::new(words))));
        }
        let searcher = self.reader.searcher();
        let hits = searcher.search(
            &BooleanQuery::new(clauses),
            &TopDocs::with_limit(CANDIDATES).order_by_score(),
        )?;
        let mut postcode_record: Option<AddressRecord> = None;
        let mut ranked: Vec<(f64, AddressRecord)> = Vec::new();
        for (_, address) in hits {
            let doc: TantivyDocument = searcher.doc(address)?;
            let json = doc
                .get_first(f.json)
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            let record: AddressRecord = serde_json::from_str(json)
                .map_err(|e| tantivy::TantivyError::InternalError(e.to_string()))?;
            if record.precision == AddressPrecision::Postcode {
                if record.address.postal_code.as_deref().map(postcode) == Some(pc.clone()) {
                    postcode_record = Some(record);
                }
                continue;
            }
            let Some(line) = record.address.line.as_deref() else {
                continue;
            };
            let (record_street, record_numbers) = street_words(line);
            let candidate: Vec<&str> = record_street.iter().map(String::as_str).collect();
            let Some(score) = name_score(&street, &candidate) else {
                continue;
            };
            if record.precision == AddressPrecision::House {
                let wanted = numbers.first().map(|n| n.to_ascii_uppercase());
                let has = record_numbers.first().map(|n| n.to_ascii_uppercase());
                if wanted.is_some() && wanted != has {
                    continue;
                }
                // A house record in another postcode of the same district is another address.
                if record
                    .address
                    .postal_code
                    .as_deref()
                    .map(|p| postcode_key(&country, p))
                    != Some(pc.clone())
                {
                    continue;
                }
            }
            let precision_bonus = match record.precision {
                AddressPrecision::House => 0.1,
                _ => 0.0,
            };
            ranked.push((score + precision_bonus, record));
        }
        let district_covered = match &district {
            Some(d) => {
                let covered = BooleanQuery::new(vec![
                    (Occur::Must, schema::term(f.district, d)),
                    (Occur::Must, schema::term(f.precision, "postcode")),
                ]);
                searcher.search(&covered, &Count)? > 0
            }
            None => false,
        };
        if district_covered && postcode_record.is_none() {
            ranked.retain(|(_, r)| r.precision == AddressPrecision::House);
        }
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for (_, record) in ranked {
            let answer = answer(
                record,
                &numbers,
                &query.postal_code,
                postcode_record.as_ref(),
            );
            let key = (
                answer.line.clone(),
                answer.postal_code.clone(),
                answer.city.clone(),
            );
            if seen.insert(key) {
                out.push(answer);
            }
            if out.len() == limit {
                break;
            }
        }
        Ok(out)
    }
}

impl AddressIndex {
    /// The imported postcode record of `postal_code`: `Some(place)` when the data holds it.
    pub fn postcode(
        &self,
        postal_code: &str,
        country: &str,
    ) -> tantivy::Result<Option<Option<(f64, f64)>>> {
        let f = self.fields;
        let key = postcode_key(country, postal_code);
        let query = BooleanQuery::new(vec![
            (Occur::Must, schema::term(f.postcode, &key)),
            (Occur::Must, schema::term(f.precision, "postcode")),
            (Occur::Must, schema::term(f.country, country)),
        ]);
        let searcher = self.reader.searcher();
        let Some((_, address)) = searcher
            .search(&query, &TopDocs::with_limit(1).order_by_score())?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let doc: TantivyDocument = searcher.doc(address)?;
        let json = doc
            .get_first(f.json)
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        let record: AddressRecord = serde_json::from_str(json)
            .map_err(|e| tantivy::TantivyError::InternalError(e.to_string()))?;
        Ok(Some(record.lat_long))
    }
}

/// The address a record answers with. A street record answers for the queried house: the
/// query's number on the record's street, in the queried postcode (as the postcode data writes
/// it), and the town of the street or else of the postcode.
fn answer(
    record: AddressRecord,
    numbers: &[String],
    queried_postcode: &str,
    postcode_record: Option<&AddressRecord>,
) -> LookupAddress {
    if record.precision == AddressPrecision::House {
        return record.address;
    }
    let mut address = record.address;
    let number = numbers.first().map(|n| n.to_ascii_uppercase());
    if let (Some(number), Some(street)) = (&number, &address.line) {
        address.line = Some(format!("{number} {street}"));
        address.property_number = Some(number.clone());
    }
    address.postal_code = Some(
        postcode_record
            .and_then(|p| p.address.postal_code.clone())
            .unwrap_or_else(|| queried_postcode.trim().to_ascii_uppercase()),
    );
    if address.city.is_none() {
        address.city = postcode_record.and_then(|p| p.address.city.clone());
    }
    address
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(
        precision: AddressPrecision,
        line: &str,
        city: &str,
        pc: Option<&str>,
        country: &str,
    ) -> AddressRecord {
        AddressRecord {
            precision,
            address: LookupAddress {
                line: (!line.is_empty()).then(|| line.to_owned()),
                city: Some(city.into()),
                postal_code: pc.map(str::to_owned),
                country: Some(country.into()),
                ..LookupAddress::default()
            },
            postcode_district: None,
            lat_long: None,
            live: true,
        }
    }

    fn index() -> AddressIndex {
        let mut b = AddressIndexBuilder::new(None).unwrap_or_else(|e| panic!("{e}"));
        let mut street = record(
            AddressPrecision::Street,
            "Union Street",
            "Aberdeen",
            None,
            "GB",
        );
        street.postcode_district = Some("AB11".into());
        for r in [
            street,
            record(
                AddressPrecision::Postcode,
                "",
                "Aberdeen City",
                Some("AB11 6BA"),
                "GB",
            ),
            record(
                AddressPrecision::House,
                "Potsdamer Straße 4",
                "Berlin",
                Some("10785"),
                "DE",
            ),
            record(
                AddressPrecision::House,
                "Potsdamer Straße 6",
                "Berlin",
                Some("10785"),
                "DE",
            ),
        ] {
            b.add(&r).unwrap_or_else(|e| panic!("{e}"));
        }
        b.finish().unwrap_or_else(|e| panic!("{e}"))
    }

    fn q(line: &str, pc: &str, country: &str) -> AddressQuery {
        AddressQuery {
            line: line.into(),
            postal_code: pc.into(),
            country: country.into(),
        }
    }

    #[test]
    fn house_records_answer_for_their_number_only() {
        let index = index();
        let found = index
            .search(&q("Potsdamer Str. 4", "10785", "DE"), 10)
            .unwrap_or_default();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line.as_deref(), Some("Potsdamer Straße 4"));
        let found = index
            .search(&q("Potsdamer Strasse", "10785", "DE"), 10)
            .unwrap_or_default();
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn a_street_answers_for_the_queried_house_in_a_known_postcode() {
        let index = index();
        let found = index
            .search(&q("11 union st", "ab116ba", "GB"), 10)
            .unwrap_or_default();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line.as_deref(), Some("11 Union Street"));
        assert_eq!(found[0].postal_code.as_deref(), Some("AB11 6BA"));
        assert_eq!(found[0].city.as_deref(), Some("Aberdeen"));
        // A postcode the postcode data does not hold, in a district it covers, matches no street.
        let found = index
            .search(&q("11 union st", "AB11 9ZZ", "GB"), 10)
            .unwrap_or_default();
        assert!(found.is_empty());
        let found = index
            .search(&q("11 Castle Street", "AB11 6BA", "GB"), 10)
            .unwrap_or_default();
        assert!(found.is_empty());
    }
}
