//! The matching engine: an immutable in-memory candidate index and the name-part-aware scorer.

mod build;
mod hash;
mod score;
mod search;
mod similarity;

pub use build::{IndexBuilder, IndexStats};
pub use similarity::{MatchKind, edit_budget, osa_distance, phonetic_key, token_similarity};

use std::collections::HashMap;

use crate::model::{Entity, EntityKind, NameQuality, SourceList};
use crate::normalize::Role;
use hash::FxMap;

/// Which query kind may match an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Partition {
    Person,
    Company,
    /// Vessels and aircraft: company queries only, with a small penalty.
    Object,
    /// Unknown kind: both.
    Any,
}

impl Partition {
    fn of(kind: EntityKind) -> Self {
        match kind {
            EntityKind::Person => Self::Person,
            EntityKind::Organisation => Self::Company,
            EntityKind::Vessel | EntityKind::Aircraft => Self::Object,
            EntityKind::Unknown => Self::Any,
        }
    }
}

/// One distinct normalised token of the indexed names.
#[derive(Debug, Clone)]
pub(crate) struct VocabToken {
    pub text: String,
    pub role: Role,
    /// Rarity weight (IDF with a role factor).
    pub weight: f32,
}

/// One indexed name of an entity.
#[derive(Debug, Clone)]
pub(crate) struct IndexedName {
    pub entity: u32,
    /// Index into `Entity::names`.
    pub name: u16,
    pub quality: NameQuality,
    pub partition: Partition,
    /// Written in Arabic / Persian / Hebrew script.
    pub abjad: bool,
    pub tokens: Box<[u32]>,
}

/// An immutable screening index over one or more lists. Build it with [`IndexBuilder`];
/// share it behind an `Arc` and swap the `Arc` to refresh.
#[derive(Debug)]
pub struct ScreeningIndex {
    pub(crate) entities: Vec<Entity>,
    pub(crate) versions: HashMap<SourceList, String>,
    pub(crate) names: Vec<IndexedName>,
    pub(crate) vocab: Vec<VocabToken>,
    pub(crate) token_ids: FxMap<String, u32>,
    /// vocab id → name ids
    pub(crate) postings: Vec<Box<[u32]>>,
    /// phonetic key → vocab ids
    pub(crate) phonetic: FxMap<String, Vec<u32>>,
    /// canonical variant → vocab ids
    pub(crate) canon: FxMap<String, Vec<u32>>,
    /// packed character trigram → vocab ids
    pub(crate) trigrams: FxMap<u32, Vec<u32>>,
    /// identifier (upper-case, alphanumerics only) → entity ids
    pub(crate) identifiers: FxMap<String, Vec<u32>>,
    /// (FNV hash of a whole name's consonant skeleton, name id), sorted: matching across
    /// Arabic script without a string per name
    pub(crate) skeletons: Box<[(u64, u32)]>,
    /// `<source>:<native id>` → entity index
    /// (FNV hash of `<source>:<native id>`, entity index), sorted
    pub(crate) by_id: Box<[(u64, u32)]>,
    /// weight given to a query token that does not occur in any indexed name
    pub(crate) unseen_weight: f32,
    /// The index whose rarity weights this one scores with (a delta's index scores as the
    /// whole list would), for query tokens this one has not seen.
    pub(crate) weights_from: Option<std::sync::Arc<ScreeningIndex>>,
}

/// FNV-1a hash of a skeleton string.
pub(crate) fn skeleton_hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl ScreeningIndex {
    /// Names whose whole-name skeleton hashes to `hash`.
    pub(crate) fn skeleton_names(&self, hash: u64) -> &[(u64, u32)] {
        let start = self.skeletons.partition_point(|(h, _)| *h < hash);
        let end = start + self.skeletons[start..].partition_point(|(h, _)| *h == hash);
        &self.skeletons[start..end]
    }

    /// All indexed entities.
    pub fn entities(&self) -> &[Entity] {
        &self.entities
    }

    /// Looks an entity up by its `<source>:<native id>` id.
    pub fn entity(&self, id: &str) -> Option<&Entity> {
        let (src, native) = id.split_once(':')?;
        let h = skeleton_hash(id);
        let start = self.by_id.partition_point(|(x, _)| *x < h);
        self.by_id[start..]
            .iter()
            .take_while(|(x, _)| *x == h)
            .map(|(_, i)| &self.entities[*i as usize])
            .find(|e| e.source.code() == src && e.native_id == native)
    }

    /// Version strings of the loaded lists.
    pub fn list_versions(&self) -> &HashMap<SourceList, String> {
        &self.versions
    }

    /// Number of indexed names (primary + aliases).
    pub fn name_count(&self) -> usize {
        self.names.len()
    }
}
