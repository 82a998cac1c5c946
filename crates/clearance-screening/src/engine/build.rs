//! Building a [`ScreeningIndex`] from parsed lists.

use std::collections::HashMap;

use super::hash::FxMap;
use super::{IndexedName, Partition, ScreeningIndex, VocabToken, phonetic_key, skeleton_hash};
use crate::model::{Entity, EntityKind, ParsedList, SourceList};
use crate::normalize::{Role, canonical, is_abjad, normalize_name, skeleton};

/// Collects entities from one or more lists; [`IndexBuilder::build`] freezes them into an index.
#[derive(Debug, Default)]
pub struct IndexBuilder {
    entities: Vec<Entity>,
    versions: HashMap<SourceList, String>,
}

/// Size figures of a built index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct IndexStats {
    pub entities: usize,
    pub names: usize,
    pub vocabulary: usize,
}

/// Packs a 3-byte window into a u32 key.
pub(crate) fn trigram_keys(token: &str) -> Vec<u32> {
    let mut padded = Vec::with_capacity(token.len() + 2);
    padded.push(b'^');
    padded.extend_from_slice(token.as_bytes());
    padded.push(b'$');
    let mut keys: Vec<u32> = padded
        .windows(3)
        .map(|w| (u32::from(w[0]) << 16) | (u32::from(w[1]) << 8) | u32::from(w[2]))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Normalises an identifier for exact lookup: upper-case alphanumerics only.
pub(crate) fn identifier_key(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

impl IndexBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds every entity of a parsed list (its version is reported in explanations).
    pub fn add_list(&mut self, list: ParsedList) -> &mut Self {
        if let (Some(v), Some(first)) = (&list.version, list.entities.first()) {
            self.versions.insert(first.source, v.clone());
        }
        self.entities.extend(list.entities);
        self
    }

    /// Adds single entities (custom lists).
    pub fn add_entities(&mut self, entities: impl IntoIterator<Item = Entity>) -> &mut Self {
        self.entities.extend(entities);
        self
    }

    /// Records a version string for a list.
    pub fn set_version(&mut self, source: SourceList, version: impl Into<String>) -> &mut Self {
        self.versions.insert(source, version.into());
        self
    }

    /// Freezes the collected entities into an immutable index.
    pub fn build(self) -> ScreeningIndex {
        let mut token_ids: FxMap<String, u32> = FxMap::default();
        let mut vocab: Vec<VocabToken> = Vec::new();
        let mut postings: Vec<Vec<u32>> = Vec::new();
        let mut names: Vec<IndexedName> = Vec::new();
        let mut identifiers: FxMap<String, Vec<u32>> = FxMap::default();
        let mut skeletons: Vec<(u64, u32)> = Vec::new();
        for (ei, e) in self.entities.iter().enumerate() {
            let person = e.kind == EntityKind::Person;
            let partition = Partition::of(e.kind);
            for (ni, n) in e.names.iter().enumerate().take(u16::MAX as usize) {
                let toks = normalize_name(&n.full, person);
                if toks.is_empty() {
                    continue;
                }
                let name_id = names.len() as u32;
                let mut ids = Vec::with_capacity(toks.len());
                for t in toks {
                    let id = *token_ids.entry(t.text.clone()).or_insert_with(|| {
                        vocab.push(VocabToken {
                            text: t.text.clone(),
                            role: t.role,
                            weight: 0.0,
                        });
                        postings.push(Vec::new());
                        (vocab.len() - 1) as u32
                    });
                    let p = &mut postings[id as usize];
                    if p.last() != Some(&name_id) {
                        p.push(name_id);
                    }
                    ids.push(id);
                }
                let sk = skeleton(ids.iter().map(|i| vocab[*i as usize].text.as_str()));
                if sk.len() >= 5 {
                    skeletons.push((skeleton_hash(&sk), name_id));
                }
                names.push(IndexedName {
                    entity: ei as u32,
                    name: ni as u16,
                    quality: n.quality,
                    partition,
                    abjad: is_abjad(&n.full),
                    tokens: ids.into_boxed_slice(),
                });
            }
            for id in &e.identifiers {
                let key = identifier_key(&id.value);
                if key.len() >= 4 {
                    let v = identifiers.entry(key).or_default();
                    if v.last() != Some(&(ei as u32)) {
                        v.push(ei as u32);
                    }
                }
            }
        }
        let n = names.len().max(1) as f32;
        let unseen_weight = (n + 1.0).ln();
        let mut phonetic: FxMap<String, Vec<u32>> = FxMap::default();
        let mut canon: FxMap<String, Vec<u32>> = FxMap::default();
        let mut trigrams: FxMap<u32, Vec<u32>> = FxMap::default();
        for (id, v) in vocab.iter_mut().enumerate() {
            let df = postings[id].len() as f32;
            v.weight = descriptor_weight(
                &v.text,
                role_weight(v.role, ((n + 1.0) / (df + 0.5)).ln().max(1.0)),
            );
            if v.text.len() == 1 {
                v.weight = 1.0;
            }
            if v.role == Role::Number || v.text.len() < 2 {
                continue;
            }
            let c = canonical(&v.text);
            if c != v.text {
                canon.entry(c.to_owned()).or_default().push(id as u32);
            }
            if v.text.len() >= 3 {
                phonetic
                    .entry(phonetic_key(&v.text))
                    .or_default()
                    .push(id as u32);
            }
            if v.text.len() >= 4 {
                for k in trigram_keys(&v.text) {
                    trigrams.entry(k).or_default().push(id as u32);
                }
            }
        }
        let mut by_id: Vec<(u64, u32)> = self
            .entities
            .iter()
            .enumerate()
            .map(|(i, e)| (skeleton_hash(&e.id()), i as u32))
            .collect();
        by_id.sort_unstable();
        ScreeningIndex {
            by_id: by_id.into_boxed_slice(),
            skeletons: {
                skeletons.sort_unstable();
                skeletons.into_boxed_slice()
            },
            entities: self.entities,
            versions: self.versions,
            names,
            vocab,
            token_ids,
            postings: postings.into_iter().map(Vec::into_boxed_slice).collect(),
            phonetic,
            canon,
            trigrams,
            identifiers,
            unseen_weight,
            weights_from: None,
        }
    }

    /// Freezes the collected entities into an index that scores exactly as `whole` would: its
    /// names' and a query's rarity weights are `whole`'s. Monitoring indexes a list's changed
    /// entities this way and screens every monitored client against them (a reverse search),
    /// getting the scores a screening against the whole list gives those entities.
    pub fn build_within(self, whole: std::sync::Arc<ScreeningIndex>) -> ScreeningIndex {
        let mut index = self.build();
        for token in &mut index.vocab {
            if let Some(weight) = whole.token_weight(&token.text) {
                token.weight = weight;
            }
        }
        index.unseen_weight = whole.unseen_weight;
        index.weights_from = Some(whole);
        index
    }
}

/// A generic business word's weight: at most that of a moderately common name part, halved,
/// however rare the word is in the lists (`oil`, `group` and `bank` name no one).
pub(crate) fn descriptor_weight(text: &str, weight: f32) -> f32 {
    if crate::normalize::is_descriptor(text) {
        weight.min(3.0) * 0.5
    } else {
        weight
    }
}

/// Role factor applied to a token's rarity weight.
pub(crate) fn role_weight(role: Role, idf: f32) -> f32 {
    match role {
        Role::Name | Role::Syllable => idf,
        Role::Number => idf * 1.3,
        Role::Stop => idf.min(2.0) * 0.2,
        Role::LegalForm => idf.min(2.0) * 0.3,
    }
}

impl ScreeningIndex {
    /// The rarity weight of an indexed token (that of the index this one scores within, if any).
    pub(crate) fn token_weight(&self, text: &str) -> Option<f32> {
        match self.token_ids.get(text) {
            Some(&id) => Some(self.vocab[id as usize].weight),
            None => self.weights_from.as_ref()?.token_weight(text),
        }
    }

    /// Size figures.
    pub fn stats(&self) -> IndexStats {
        IndexStats {
            entities: self.entities.len(),
            names: self.names.len(),
            vocabulary: self.vocab.len(),
        }
    }
}
