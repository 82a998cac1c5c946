//! Pairwise name scoring: one-to-one alignment of name parts weighted by rarity.

use super::hash::FxMap;
use super::{MatchKind, ScreeningIndex, token_similarity};
use crate::normalize::Role;

/// Below this similarity two parts are not aligned.
pub(crate) const MIN_SIM: f32 = 0.7;
/// Share of an unmatched listed part's weight that counts against the score.
const CANDIDATE_MISS: f32 = 0.25;
/// Share of an extra query middle name's weight that counts against the score.
const QUERY_MIDDLE_MISS: f32 = 0.5;

/// Patronymics cost less when missing on one side.
fn miss_factor(text: &str) -> f32 {
    const PATRONYMIC: &[&str] = &[
        "ovich", "evich", "ovych", "evych", "ovna", "evna", "ivna", "ovic", "evic",
    ];
    if text.len() > 6 && PATRONYMIC.iter().any(|s| text.ends_with(s)) {
        0.3
    } else {
        1.0
    }
}

/// A normalised query part with its weight.
#[derive(Debug, Clone)]
pub(crate) struct QToken {
    pub text: String,
    pub role: Role,
    pub weight: f32,
}

/// The alignment of a query with one indexed name.
#[derive(Debug, Clone, Default)]
pub(crate) struct NameScore {
    pub score: f32,
    /// (query part, candidate part position, similarity, method)
    pub pairs: Vec<(usize, usize, f32, MatchKind)>,
    /// The score comes from a whole-name consonant skeleton (Arabic script).
    pub skeleton: bool,
}

/// Per-query cache of part similarities keyed by (query part, vocabulary id).
pub(crate) type SimCache = FxMap<u64, (f32, MatchKind)>;

pub(crate) fn cached_sim(
    index: &ScreeningIndex,
    cache: &mut SimCache,
    q: &[QToken],
    qi: usize,
    vid: u32,
    fuzzy: bool,
) -> (f32, MatchKind) {
    let key = ((qi as u64) << 32) | u64::from(vid);
    if let Some(v) = cache.get(&key) {
        return *v;
    }
    let v = &index.vocab[vid as usize];
    let qt = &q[qi];
    let texty = |r: Role| matches!(r, Role::Name | Role::Syllable);
    let r = if qt.role != v.role && !(texty(qt.role) && texty(v.role)) {
        // legal forms, stop words and numbers only match their own kind, exactly
        if qt.text == v.text {
            (1.0, MatchKind::Exact)
        } else {
            (0.0, MatchKind::None)
        }
    } else if qt.role == Role::Syllable || v.role == Role::Syllable {
        token_similarity(&qt.text, &v.text, false)
    } else if qt.role == Role::LegalForm || qt.role == Role::Stop {
        if qt.text == v.text {
            (1.0, MatchKind::Exact)
        } else {
            (0.0, MatchKind::None)
        }
    } else {
        token_similarity(&qt.text, &v.text, fuzzy)
    };
    cache.insert(key, r);
    r
}

/// Scores the query parts against one indexed name (its vocabulary ids).
#[allow(clippy::needless_range_loop)]
pub(crate) fn score_name(
    index: &ScreeningIndex,
    cache: &mut SimCache,
    q: &[QToken],
    cand: &[u32],
    fuzzy: bool,
) -> NameScore {
    let mut cands: Vec<(f32, usize, usize, MatchKind)> = Vec::with_capacity(q.len() * cand.len());
    for qi in 0..q.len() {
        for (cj, vid) in cand.iter().enumerate() {
            let (s, k) = cached_sim(index, cache, q, qi, *vid, fuzzy);
            if s >= MIN_SIM {
                cands.push((s, qi, cj, k));
            }
        }
    }
    // best similarity first; among equals prefer parts in the same position
    cands.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| a.1.abs_diff(a.2).cmp(&b.1.abs_diff(b.2)))
    });
    let mut q_used = vec![false; q.len()];
    let mut c_used = vec![false; cand.len()];
    let mut pairs = Vec::new();
    let mut num = 0.0f32;
    let mut den = 0.0f32;
    for (s, qi, cj, k) in cands {
        if q_used[qi] || c_used[cj] {
            continue;
        }
        q_used[qi] = true;
        c_used[cj] = true;
        pairs.push((qi, cj, s, k));
        let w = index.vocab[cand[cj] as usize].weight;
        if k == MatchKind::Initial {
            // an initial confirms little: weigh the pair by the full name part, credit 0.6 of it
            let w = w.max(q[qi].weight);
            num += 0.6 * w;
            den += w;
        } else {
            num += s * w;
            den += w;
        }
    }
    // split / joined words: one part on one side against two adjacent parts on the other
    if fuzzy && q_used.iter().any(|u| !u) && c_used.iter().any(|u| !u) {
        let ctext = |j: usize| index.vocab[cand[j] as usize].text.as_str();
        let named = |j: usize| {
            matches!(
                index.vocab[cand[j] as usize].role,
                Role::Name | Role::LegalForm | Role::Syllable
            )
        };
        // romanised syllables only join exactly (`xi jin ping` = `xi jinping`)
        let syl = |j: usize| index.vocab[cand[j] as usize].role == Role::Syllable;
        for qi in 0..q.len() {
            if q_used[qi] || !matches!(q[qi].role, Role::Name | Role::Syllable) {
                continue;
            }
            for cj in 0..cand.len().saturating_sub(1) {
                if c_used[cj] || c_used[cj + 1] || !named(cj) || !named(cj + 1) {
                    continue;
                }
                let joined = format!("{}{}", ctext(cj), ctext(cj + 1));
                let exact_only = q[qi].role == Role::Syllable || syl(cj) || syl(cj + 1);
                let (s, k) = token_similarity(&q[qi].text, &joined, !exact_only);
                if s >= MIN_SIM {
                    q_used[qi] = true;
                    c_used[cj] = true;
                    c_used[cj + 1] = true;
                    pairs.push((qi, cj, s, k));
                    pairs.push((qi, cj + 1, s, k));
                    let w = index.vocab[cand[cj] as usize].weight
                        + index.vocab[cand[cj + 1] as usize].weight;
                    num += s * w;
                    den += w;
                    break;
                }
            }
        }
        for qi in 0..q.len().saturating_sub(1) {
            if q_used[qi]
                || q_used[qi + 1]
                || !matches!(q[qi].role, Role::Name | Role::Syllable)
                || !matches!(q[qi + 1].role, Role::Name | Role::Syllable)
            {
                continue;
            }
            let joined = format!("{}{}", q[qi].text, q[qi + 1].text);
            for cj in 0..cand.len() {
                if c_used[cj] || !named(cj) {
                    continue;
                }
                let exact_only =
                    q[qi].role == Role::Syllable || q[qi + 1].role == Role::Syllable || syl(cj);
                let (s, k) = token_similarity(&joined, ctext(cj), !exact_only);
                if s >= MIN_SIM {
                    q_used[qi] = true;
                    q_used[qi + 1] = true;
                    c_used[cj] = true;
                    pairs.push((qi, cj, s, k));
                    pairs.push((qi + 1, cj, s, k));
                    let w = index.vocab[cand[cj] as usize].weight;
                    num += s * w;
                    den += w;
                    break;
                }
            }
        }
    }
    // two different patronymics contradict each other instead of being merely missing
    let q_patr = (0..q.len()).any(|i| !q_used[i] && miss_factor(&q[i].text) < 1.0);
    let c_patr = (0..cand.len())
        .any(|j| !c_used[j] && miss_factor(&index.vocab[cand[j] as usize].text) < 1.0);
    let clash = q_patr && c_patr;
    // two different legal forms (`AG` vs `GmbH`) point to different companies
    let q_form = (0..q.len()).any(|i| !q_used[i] && q[i].role == Role::LegalForm);
    let c_form = (0..cand.len())
        .any(|j| !c_used[j] && index.vocab[cand[j] as usize].role == Role::LegalForm);
    if q_form && c_form {
        num *= 0.92;
    }
    let c_extra =
        (0..cand.len()).any(|j| !c_used[j] && index.vocab[cand[j] as usize].role == Role::Name);
    let first_used = q_used.iter().position(|u| *u);
    let last_used = q_used.iter().rposition(|u| *u);
    for (qi, used) in q_used.iter().enumerate() {
        if !used {
            // an extra middle name costs less than an extra first or last name
            let middle =
                !c_extra && first_used.is_some_and(|f| f < qi) && last_used.is_some_and(|l| l > qi);
            let f = if clash {
                1.0
            } else {
                miss_factor(&q[qi].text) * if middle { QUERY_MIDDLE_MISS } else { 1.0 }
            };
            den += q[qi].weight * f;
        }
    }
    for (cj, used) in c_used.iter().enumerate() {
        if !used {
            let v = &index.vocab[cand[cj] as usize];
            let f = if clash {
                1.0
            } else if v.role == Role::Number {
                1.0 / CANDIDATE_MISS
            } else {
                miss_factor(&v.text)
            };
            den += CANDIDATE_MISS * v.weight * f;
        }
    }
    // `X bin Y` is not `Y bin X`
    for i in 1..q.len().saturating_sub(1) {
        if q[i].role == Role::Stop && matches!(q[i].text.as_str(), "bin" | "ibn" | "bint" | "ben") {
            let at = |qi: usize| pairs.iter().find(|p| p.0 == qi).map(|p| p.1);
            if let (Some(a), Some(b)) = (at(i - 1), at(i + 1))
                && a > b
            {
                num *= 0.8;
            }
        }
    }
    let score = if den > 0.0 { num / den } else { 0.0 };
    NameScore {
        score,
        pairs,
        skeleton: false,
    }
}
