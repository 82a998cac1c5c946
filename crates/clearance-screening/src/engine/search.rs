//! Query execution: candidate generation over the index, scoring, qualifiers, explanations.

use super::build::{descriptor_weight, identifier_key, role_weight, trigram_keys};
use super::hash::FxMap;
use super::score::{MIN_SIM, NameScore, QToken, SimCache, cached_sim, score_name};
use super::{Partition, ScreeningIndex, edit_budget, phonetic_key, skeleton_hash};
use crate::countries::country_code;
use crate::model::{Entity, NameQuality, PartialDate};
use crate::normalize::{Role, canonical, is_abjad, normalize_name, skeleton};
use crate::query::{
    Explanation, Match, PartMatch, Qualifier, Query, QueryKind, ScreenOptions, SearchMode,
};

/// Names scored in full per query.
const CANDIDATES: usize = 48;
/// Name score of a whole-name consonant-skeleton match across Arabic script.
const SKELETON_SCORE: f32 = 0.9;
/// Tokens with more postings than this are only used when nothing rarer matched.
const POSTING_CAP: usize = 20_000;

fn dob_effect(q: PartialDate, list: &[PartialDate]) -> Option<(f32, String)> {
    if list.is_empty() {
        return None;
    }
    let mut best: Option<(f32, String)> = None;
    for d in list {
        let diff = q.year.abs_diff(d.year);
        let (effect, what) = if diff == 0 {
            let month_clash = matches!((q.month, d.month), (Some(a), Some(b)) if a != b);
            let day_clash = matches!((q.day, d.day), (Some(a), Some(b)) if a != b);
            if month_clash || day_clash {
                (-10.0, "same year, different day")
            } else {
                (0.0, "compatible")
            }
        } else if diff == 1 {
            (-5.0, "one year apart")
        } else {
            (-15.0, "different year")
        };
        if best.as_ref().is_none_or(|b| effect > b.0) {
            best = Some((effect, format!("{what}: query {q}, listed {d}")));
        }
    }
    best
}

/// How much beyond the name agrees between a query and a listed entity: the same birth date
/// (2, or 1 for the same year only), nationality or country (1), gender (1).
fn corroboration(q: &Query, e: &Entity) -> u8 {
    let mut evidence = 0;
    if let Some(d) = q.dob {
        let exact = e
            .dates_of_birth
            .iter()
            .any(|l| l.year == d.year && l.month == d.month && l.day == d.day && d.day.is_some());
        if exact {
            evidence += 2;
        } else if e.dates_of_birth.iter().any(|l| l.year == d.year) {
            evidence += 1;
        }
    }
    if let Some(c) = q.country.as_deref().and_then(country_code)
        && e.countries.contains(&c)
    {
        evidence += 1;
    }
    if let (Some(a), Some(b)) = (q.gender, e.gender)
        && a == b
    {
        evidence += 1;
    }
    evidence
}

impl ScreeningIndex {
    fn query_tokens(&self, q: &Query) -> Vec<QToken> {
        normalize_name(&q.name, q.kind == QueryKind::Person)
            .into_iter()
            .map(|t| {
                let weight = match self.token_weight(&t.text) {
                    _ if t.text.len() == 1 => 1.0,
                    Some(weight) => weight,
                    None => descriptor_weight(&t.text, role_weight(t.role, self.unseen_weight)),
                };
                QToken {
                    text: t.text,
                    role: t.role,
                    weight,
                }
            })
            .collect()
    }

    /// Vocabulary ids a query part may align with.
    fn expansions(
        &self,
        t: &QToken,
        fuzzy: bool,
        out: &mut Vec<u32>,
        halves: &mut Vec<u32>,
        tri_count: &mut FxMap<u32, u16>,
    ) {
        out.clear();
        halves.clear();
        if let Some(&id) = self.token_ids.get(&t.text) {
            out.push(id);
        } else if t.role == Role::Name && t.text.len() >= 6 {
            // joined words: `vladimirputin` → `vladimir` + `putin`
            for cut in 2..t.text.len() - 1 {
                let (a, b) = t.text.split_at(cut);
                if let (Some(&x), Some(&y)) = (self.token_ids.get(a), self.token_ids.get(b)) {
                    halves.push(x);
                    halves.push(y);
                }
            }
        }
        if !matches!(t.role, Role::Name | Role::Syllable) {
            return;
        }
        let c = canonical(&t.text);
        if let Some(&id) = self.token_ids.get(c) {
            out.push(id);
        }
        if let Some(ids) = self.canon.get(c) {
            out.extend_from_slice(ids);
        }
        if !fuzzy || t.role == Role::Syllable {
            return;
        }
        if t.text.len() >= 3
            && let Some(ids) = self.phonetic.get(&phonetic_key(&t.text))
        {
            let first = t.text.as_bytes()[0];
            out.extend(
                ids.iter()
                    .filter(|id| self.vocab[**id as usize].text.as_bytes()[0] == first),
            );
        }
        // typo search over the vocabulary, only for parts not spelt like any listed part
        if t.text.len() >= 4 && !self.token_ids.contains_key(&t.text) {
            let keys = trigram_keys(&t.text);
            let need = keys
                .len()
                .saturating_sub(3 * edit_budget(t.text.len()))
                .max(2) as u16;
            tri_count.clear();
            for k in &keys {
                if let Some(ids) = self.trigrams.get(k) {
                    for id in ids {
                        *tri_count.entry(*id).or_insert(0) += 1;
                    }
                }
            }
            out.extend(
                tri_count
                    .iter()
                    .filter(|(id, n)| {
                        **n >= need
                            && self.vocab[**id as usize].text.len().abs_diff(t.text.len())
                                <= edit_budget(t.text.len()) + 2
                    })
                    .map(|(id, _)| *id),
            );
        }
        out.sort_unstable();
        out.dedup();
    }

    /// Screens one query; matches at or above `opts.threshold`, best first, at most `opts.limit`.
    pub fn screen(&self, q: &Query, opts: &ScreenOptions) -> Vec<Match> {
        let fuzzy = opts.mode == SearchMode::Fuzzy;
        let qt = self.query_tokens(q);
        if qt.is_empty() {
            return Vec::new();
        }
        let allowed = |p: Partition| match q.kind {
            QueryKind::Person => matches!(p, Partition::Person | Partition::Any),
            QueryKind::Company => !matches!(p, Partition::Person),
        };
        // list scope and classification filters apply before candidates are cut
        let wanted = |e: &Entity| {
            (opts.sources.is_empty() || opts.sources.contains(&e.source))
                && (opts.classifications.is_empty()
                    || e.classifications
                        .iter()
                        .any(|c| opts.classifications.contains(c)))
        };
        let mut cache = SimCache::default();
        let mut acc: FxMap<u32, f32> = FxMap::default();
        let mut exp = Vec::new();
        let mut halves = Vec::new();
        let mut tri = FxMap::default();
        let mut capped = Vec::new();
        for qi in 0..qt.len() {
            self.expansions(&qt[qi], fuzzy, &mut exp, &mut halves, &mut tri);
            for &vid in &halves {
                let post = &self.postings[vid as usize];
                if post.len() <= POSTING_CAP {
                    let w = 0.5 * self.vocab[vid as usize].weight;
                    for &n in post.iter() {
                        *acc.entry(n).or_insert(0.0) += w;
                    }
                }
            }
            for &vid in &exp {
                let (s, _) = cached_sim(self, &mut cache, &qt, qi, vid, fuzzy);
                if s < MIN_SIM {
                    continue;
                }
                let post = &self.postings[vid as usize];
                if post.len() > POSTING_CAP {
                    capped.push((qi, vid, s));
                    continue;
                }
                let w = s * self.vocab[vid as usize].weight;
                for &n in post.iter() {
                    *acc.entry(n).or_insert(0.0) += w;
                }
            }
        }
        if acc.is_empty() {
            for (_, vid, s) in capped {
                let w = s * self.vocab[vid as usize].weight;
                for &n in self.postings[vid as usize].iter().take(POSTING_CAP) {
                    *acc.entry(n).or_insert(0.0) += w;
                }
            }
        }
        let mut forced: Vec<u32> = Vec::new();
        if let Some(id) = q.identifier.as_deref().map(identifier_key)
            && let Some(ents) = self.identifiers.get(&id)
        {
            forced.extend(ents);
        }
        let mut cands: Vec<(u32, f32)> = acc
            .into_iter()
            .filter(|(n, _)| {
                let name = &self.names[*n as usize];
                allowed(name.partition) && wanted(&self.entities[name.entity as usize])
            })
            .collect();
        if cands.len() > CANDIDATES {
            cands.select_nth_unstable_by(CANDIDATES, |a, b| b.1.total_cmp(&a.1));
            cands.truncate(CANDIDATES);
        }
        // Arabic / Persian / Hebrew script is romanised without vowels: a whole-name consonant
        // skeleton equal to a listed name's counts as a strong phonetic match
        let mut skel_hits: Vec<u32> = Vec::new();
        if fuzzy {
            let query_abjad = is_abjad(&q.name);
            let sk = skeleton(qt.iter().map(|t| t.text.as_str()));
            if sk.len() >= 5 {
                for &(_, n) in self
                    .skeleton_names(skeleton_hash(&sk))
                    .iter()
                    .take(CANDIDATES)
                {
                    let name = &self.names[n as usize];
                    let same = || {
                        skeleton(
                            name.tokens
                                .iter()
                                .map(|v| self.vocab[*v as usize].text.as_str()),
                        ) == sk
                    };
                    if (query_abjad || name.abjad)
                        && same()
                        && allowed(name.partition)
                        && wanted(&self.entities[name.entity as usize])
                    {
                        skel_hits.push(n);
                        if !cands.iter().any(|c| c.0 == n) {
                            cands.push((n, 0.0));
                        }
                    }
                }
            }
        }
        // best name per entity
        let mut best: FxMap<u32, (f32, u32, NameScore)> = FxMap::default();
        for (n, _) in cands {
            let name = &self.names[n as usize];
            let mut ns = score_name(self, &mut cache, &qt, &name.tokens, fuzzy);
            if skel_hits.contains(&n) && ns.score < SKELETON_SCORE {
                ns.score = SKELETON_SCORE;
                ns.skeleton = true;
            }
            let factor = match name.quality {
                NameQuality::Primary => 1.0,
                NameQuality::Strong => 0.995,
                NameQuality::Weak => 0.9,
            };
            ns.score *= factor;
            let e = best
                .entry(name.entity)
                .or_insert((-1.0, n, NameScore::default()));
            if ns.score > e.0 {
                *e = (ns.score, n, ns);
            }
        }
        let mut out: Vec<Match> = Vec::new();
        for (ent, (s, n, ns)) in &best {
            let entity = &self.entities[*ent as usize];
            let (score, quals) = self.qualify(
                q,
                entity,
                *s * 100.0,
                self.names[*n as usize].partition,
                forced.contains(ent),
            );
            if score + 1e-3 < opts.threshold {
                continue;
            }
            if !wanted(entity) {
                continue;
            }
            out.push(self.explain(&qt, entity, *n, ns, *s * 100.0, score, quals));
        }
        for ent in forced {
            if best.contains_key(&ent) {
                continue;
            }
            let entity = &self.entities[ent as usize];
            if !wanted(entity) {
                continue;
            }
            let Some(n) = self.names.iter().position(|x| x.entity == ent) else {
                continue;
            };
            let (score, quals) = self.qualify(q, entity, 0.0, Partition::Any, true);
            out.push(self.explain(
                &qt,
                entity,
                n as u32,
                &NameScore::default(),
                0.0,
                score,
                quals,
            ));
        }
        // Equal scores (several namesakes at 100, say) are ranked by what else agrees: a
        // reviewer should see first the one whose birth date and nationality match.
        let mut ranked: Vec<(u8, Match)> = out
            .into_iter()
            .map(|m| {
                let evidence = self.entity(&m.entity_id).map_or(0, |e| corroboration(q, e));
                (evidence, m)
            })
            .collect();
        ranked.sort_by(|(ea, a), (eb, b)| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| eb.cmp(ea))
                .then_with(|| a.entity_id.cmp(&b.entity_id))
        });
        ranked.truncate(opts.limit);
        ranked.into_iter().map(|(_, m)| m).collect()
    }

    fn qualify(
        &self,
        q: &Query,
        e: &Entity,
        name_score: f32,
        part: Partition,
        id_hit: bool,
    ) -> (f32, Vec<Qualifier>) {
        let mut quals = Vec::new();
        if id_hit {
            quals.push(Qualifier {
                field: "identifier".into(),
                effect: 100.0 - name_score,
                detail: "exact identifier match".into(),
            });
            return (100.0, quals);
        }
        if let Some(d) = q.dob
            && let Some((effect, detail)) = dob_effect(d, &e.dates_of_birth)
            && effect != 0.0
        {
            quals.push(Qualifier {
                field: "dob".into(),
                effect,
                detail,
            });
        }
        if let Some(c) = q.country.as_deref().and_then(country_code)
            && !e.countries.is_empty()
            && !e.countries.contains(&c)
        {
            quals.push(Qualifier {
                field: "country".into(),
                effect: -8.0,
                detail: format!("query {c}, listed {}", e.countries.join(",")),
            });
        }
        if let (Some(a), Some(b)) = (q.gender, e.gender)
            && a != b
        {
            quals.push(Qualifier {
                field: "gender".into(),
                effect: -10.0,
                detail: format!("query {a:?}, listed {b:?}"),
            });
        }
        if part == Partition::Object && q.kind == QueryKind::Company {
            quals.push(Qualifier {
                field: "kind".into(),
                effect: -5.0,
                detail: format!("listed entity is a {:?}", e.kind),
            });
        }
        let score = quals
            .iter()
            .fold(name_score, |s, q| s + q.effect)
            .clamp(0.0, 100.0);
        (score, quals)
    }

    #[allow(clippy::too_many_arguments)]
    fn explain(
        &self,
        qt: &[QToken],
        e: &Entity,
        n: u32,
        ns: &NameScore,
        name_score: f32,
        score: f32,
        qualifiers: Vec<Qualifier>,
    ) -> Match {
        let name = &self.names[n as usize];
        let ctexts: Vec<String> = name
            .tokens
            .iter()
            .map(|v| self.vocab[*v as usize].text.clone())
            .collect();
        let parts = ns
            .pairs
            .iter()
            .map(|&(qi, cj, s, k)| PartMatch {
                query: qt[qi].text.clone(),
                candidate: ctexts[cj].clone(),
                similarity: round(s * 100.0) / 100.0,
                method: k,
            })
            .collect();
        let mut parts: Vec<PartMatch> = parts;
        if ns.skeleton {
            parts.push(PartMatch {
                query: skeleton(qt.iter().map(|t| t.text.as_str())),
                candidate: skeleton(ctexts.iter().map(String::as_str)),
                similarity: SKELETON_SCORE,
                method: crate::engine::MatchKind::Phonetic,
            });
        }
        let unmatched_query = (0..qt.len())
            .filter(|i| !ns.pairs.iter().any(|p| p.0 == *i))
            .map(|i| qt[i].text.clone())
            .collect();
        let unmatched_candidate = (0..ctexts.len())
            .filter(|j| !ns.pairs.iter().any(|p| p.1 == *j))
            .map(|j| ctexts[j].clone())
            .collect();
        let matched = &e.names[name.name as usize];
        Match {
            entity_id: e.id(),
            name: e.primary_name().to_owned(),
            score: round(score),
            classification: e.classifications.first().copied(),
            classifications: e.classifications.clone(),
            explanation: Explanation {
                query_tokens: qt.iter().map(|t| t.text.clone()).collect(),
                matched_name: matched.full.clone(),
                matched_name_quality: matched.quality,
                candidate_tokens: ctexts,
                parts,
                unmatched_query,
                unmatched_candidate,
                name_score: round(name_score),
                qualifiers,
                list: e.source.code().to_owned(),
                list_version: self.versions.get(&e.source).cloned(),
            },
        }
    }
}

fn round(x: f32) -> f32 {
    (x * 10.0).round() / 10.0
}
