//! The self-check of a list version: a deterministic sample of its entities' own primary names
//! screened back against an index of that version, each of which must find its own entity.
//! It catches a parser or normaliser regression (names read wrong, or normalised to nothing)
//! before such a version replaces a good one and silently blinds screening and monitoring.

use crate::ScreeningIndex;
use crate::model::{Entity, EntityKind};
use crate::query::{DEFAULT_THRESHOLD, Query, ScreenOptions};

/// Names screened back per version.
pub const SELF_CHECK_SAMPLE: usize = 50;
/// The sampler's seed: the same version always samples the same entities.
pub const SELF_CHECK_SEED: u64 = 0x5EED_C1EA_2A9C_E025;
/// Matches looked at per name: enough for every namesake of the entity to rank before it.
const LIMIT: usize = 100;
/// Entity ids named in a report at most.
const NAMED: usize = 10;

/// How a self-check went.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SelfCheck {
    /// Names screened.
    pub sampled: usize,
    /// How many did not find their own entity.
    pub missed: usize,
    /// The first few entities missed, by id.
    pub missed_ids: Vec<String>,
}

impl SelfCheck {
    /// Every sampled name found its entity.
    pub fn passed(&self) -> bool {
        self.missed == 0
    }

    /// More than one sampled name in twenty missed: the file or the parser is broken, not one
    /// awkward name. (The engine misses a few real names on its own: screening every entity of
    /// the 2021 OFAC SDN list back against it, 5 of 8,976 do not find themselves, such as
    /// `Haji IBRAHIM`; see the `self_check_lists` example.)
    pub fn systemic(&self) -> bool {
        self.missed * 20 > self.sampled
    }
}

/// Screens the primary names of `sample` entities of `index` (all of them when it holds
/// fewer), chosen by a generator seeded with `seed`, back against `index`: each must match its
/// own entity at the default threshold, as a person for persons and as a company otherwise.
pub fn self_check(index: &ScreeningIndex, sample: usize, seed: u64) -> SelfCheck {
    let entities = index.entities();
    let mut report = SelfCheck::default();
    let options = ScreenOptions {
        threshold: DEFAULT_THRESHOLD,
        limit: LIMIT,
        ..ScreenOptions::default()
    };
    for i in sample_positions(entities.len(), sample, seed) {
        let entity = &entities[i];
        report.sampled += 1;
        if !finds_itself(index, entity, &options) {
            report.missed += 1;
            if report.missed_ids.len() < NAMED {
                report.missed_ids.push(entity.id());
            }
        }
    }
    report
}

fn finds_itself(index: &ScreeningIndex, entity: &Entity, options: &ScreenOptions) -> bool {
    let name = entity.primary_name();
    let query = match entity.kind {
        EntityKind::Person | EntityKind::Unknown => Query::person(name),
        _ => Query::company(name),
    };
    let id = entity.id();
    index
        .screen(&query, options)
        .iter()
        .any(|m| m.entity_id == id)
}

/// `min(n, k)` distinct positions below `n`, in order, chosen by a partial Fisher–Yates
/// shuffle driven by SplitMix64 from `seed`.
fn sample_positions(n: usize, k: usize, seed: u64) -> Vec<usize> {
    let mut positions: Vec<usize> = (0..n).collect();
    let mut state = seed;
    let k = k.min(n);
    for i in 0..k {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        let j = i + (z % (n - i) as u64) as usize;
        positions.swap(i, j);
    }
    positions.truncate(k);
    positions.sort_unstable();
    positions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::IndexBuilder;
    use crate::model::{NameQuality, SourceList};

    fn entity(id: usize, name: &str, kind: EntityKind) -> Entity {
        let mut e = Entity::new(SourceList::UnSc, format!("QDi.{id}"), kind);
        e.push_name(name, NameQuality::Primary);
        e
    }

    #[test]
    fn samples_are_distinct_in_range_and_repeatable() {
        let a = sample_positions(1000, 50, SELF_CHECK_SEED);
        assert_eq!(a.len(), 50);
        assert!(a.windows(2).all(|w| w[0] < w[1]), "distinct and ordered");
        assert!(a.iter().all(|&p| p < 1000));
        assert_eq!(a, sample_positions(1000, 50, SELF_CHECK_SEED));
        assert_ne!(a, sample_positions(1000, 50, 1));
        assert_eq!(sample_positions(3, 50, 7), [0, 1, 2], "a short list whole");
        assert!(sample_positions(0, 50, 7).is_empty());
    }

    #[test]
    fn a_sound_list_finds_every_sampled_name() {
        let names = [
            ("Ivan Petrovich SIDOROV", EntityKind::Person),
            ("Maria GONZALEZ LOPEZ", EntityKind::Person),
            ("ACME TRADING COMPANY LIMITED", EntityKind::Organisation),
            ("OCEAN STAR", EntityKind::Vessel),
            ("Mohammed AL-HASSAN", EntityKind::Person),
        ];
        let mut builder = IndexBuilder::new();
        builder.add_entities(names.iter().enumerate().map(|(i, (n, k))| entity(i, n, *k)));
        let report = self_check(&builder.build(), SELF_CHECK_SAMPLE, SELF_CHECK_SEED);
        assert_eq!(report.sampled, 5);
        assert!(report.passed(), "{report:?}");
    }

    #[test]
    fn names_that_normalise_to_nothing_are_missed() {
        let mut builder = IndexBuilder::new();
        builder.add_entities([
            entity(1, "Ivan SIDOROV", EntityKind::Person),
            entity(2, "- . -", EntityKind::Person),
        ]);
        let report = self_check(&builder.build(), SELF_CHECK_SAMPLE, SELF_CHECK_SEED);
        assert_eq!(report.sampled, 2);
        assert_eq!(report.missed, 1);
        assert_eq!(report.missed_ids, ["un_sc:QDi.2"]);
        assert!(!report.passed());
        assert!(report.systemic(), "one in two");
        let isolated = SelfCheck {
            sampled: 50,
            missed: 2,
            missed_ids: Vec::new(),
        };
        assert!(!isolated.passed() && !isolated.systemic(), "two in fifty");
        assert!(
            SelfCheck {
                missed: 3,
                ..isolated
            }
            .systemic()
        );
    }
}
