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
    /// consonant skeleton of a whole name → name ids (matching across Arabic script)
    pub(crate) skeletons: FxMap<String, Vec<u32>>,
    /// `<source>:<native id>` → entity index
    pub(crate) by_id: FxMap<String, u32>,
    /// weight given to a query token that does not occur in any indexed name
    pub(crate) unseen_weight: f32,
}

impl ScreeningIndex {
    /// All indexed entities.
    pub fn entities(&self) -> &[Entity] {
        &self.entities
    }

    /// Looks an entity up by its `<source>:<native id>` id.
    pub fn entity(&self, id: &str) -> Option<&Entity> {
        self.by_id.get(id).map(|i| &self.entities[*i as usize])
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
