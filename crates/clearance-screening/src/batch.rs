//! Batch screening of a customer file before go-live: every customer screened, and a summary a
//! compliance team can forecast its workload from (alert rate per 100,000, alerts by category
//! and by list, the top alerts with why they matched).

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::engine::ScreeningIndex;
use crate::query::{Match, Query, ScreenOptions};

/// One alert of a batch: a customer and a listed entity it matched.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// The customer's reference in the file.
    pub reference: String,
    pub query: String,
    pub entity_id: String,
    pub listed_name: String,
    pub score: f32,
    /// The entity's classifications (`watchlistSanctionsLists`, `pepLevel1`, …).
    pub classifications: Vec<String>,
    /// The aligned name parts and the qualifiers applied, in a few words.
    pub why: String,
}

impl Alert {
    fn of(reference: &str, query: &Query, m: &Match) -> Self {
        let e = &m.explanation;
        let mut why: Vec<String> = e
            .parts
            .iter()
            .map(|p| {
                if p.query == p.candidate {
                    p.query.clone()
                } else {
                    format!("{}~{}", p.query, p.candidate)
                }
            })
            .collect();
        if !e.unmatched_query.is_empty() {
            why.push(format!("unmatched: {}", e.unmatched_query.join(" ")));
        }
        for q in &e.qualifiers {
            why.push(format!("{} {:+.0}", q.field, q.effect));
        }
        Alert {
            reference: reference.to_owned(),
            query: query.name.clone(),
            entity_id: m.entity_id.clone(),
            listed_name: m.name.clone(),
            score: m.score,
            classifications: m
                .classifications
                .iter()
                .map(|c| c.request_value().to_owned())
                .collect(),
            why: format!("{} ({})", e.matched_name, why.join(", ")),
        }
    }
}

/// What a batch found, accumulated customer by customer.
#[derive(Debug, Clone, Default)]
pub struct BatchSummary {
    pub screened: u64,
    /// Customers with at least one alert.
    pub alerted: u64,
    /// Alerts in all (a customer may match several entities).
    pub alerts: u64,
    /// Alerts by classification (an alert counts once under each of its entity's).
    pub by_category: BTreeMap<String, u64>,
    /// Alerts by list (the entity id's source).
    pub by_list: BTreeMap<String, u64>,
    /// The highest-scoring alerts, best first, at most `keep`.
    pub top: Vec<Alert>,
    keep: usize,
}

impl BatchSummary {
    /// A summary keeping the `keep` best alerts.
    pub fn new(keep: usize) -> Self {
        BatchSummary {
            keep,
            ..BatchSummary::default()
        }
    }

    /// Screens one customer and adds what it matched; answers its alerts.
    pub fn screen(
        &mut self,
        index: &ScreeningIndex,
        reference: &str,
        query: &Query,
        options: &ScreenOptions,
    ) -> Vec<Alert> {
        let found = index.screen(query, options);
        let alerts: Vec<Alert> = found
            .iter()
            .map(|m| Alert::of(reference, query, m))
            .collect();
        self.add(&alerts);
        alerts
    }

    /// Adds one customer's alerts (none: screened clear).
    pub fn add(&mut self, alerts: &[Alert]) {
        self.screened += 1;
        if alerts.is_empty() {
            return;
        }
        self.alerted += 1;
        self.alerts += alerts.len() as u64;
        for a in alerts {
            for c in &a.classifications {
                *self.by_category.entry(c.clone()).or_default() += 1;
            }
            let list = a.entity_id.split(':').next().unwrap_or_default();
            *self.by_list.entry(list.to_owned()).or_default() += 1;
        }
        self.top.extend(alerts.iter().cloned());
        self.top.sort_by(|a, b| b.score.total_cmp(&a.score));
        self.top.truncate(self.keep);
    }

    /// Customers alerted per 100,000 screened.
    pub fn alert_rate_per_100k(&self) -> f64 {
        if self.screened == 0 {
            return 0.0;
        }
        self.alerted as f64 * 100_000.0 / self.screened as f64
    }

    /// The summary as text for a terminal.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "screened {} customers: {} alerted ({:.1} per 100,000; {:.3} %), {} alerts",
            self.screened,
            self.alerted,
            self.alert_rate_per_100k(),
            self.alert_rate_per_100k() / 1_000.0,
            self.alerts
        );
        if !self.by_category.is_empty() {
            let _ = writeln!(out, "alerts by category:");
            for (c, n) in &self.by_category {
                let _ = writeln!(out, "  {c:40} {n}");
            }
            let _ = writeln!(out, "alerts by list:");
            for (l, n) in &self.by_list {
                let _ = writeln!(out, "  {l:40} {n}");
            }
        }
        if !self.top.is_empty() {
            let _ = writeln!(out, "top alerts:");
            for a in &self.top {
                let _ = writeln!(
                    out,
                    "  {:>5.1} {} {:?} ~ {} {:?}: {}",
                    a.score, a.reference, a.query, a.entity_id, a.listed_name, a.why
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Classification, Entity, EntityKind, IndexBuilder, NameQuality, SourceList};

    #[test]
    fn a_batch_counts_alerts_by_category_and_keeps_the_best() {
        let mut e = Entity::new(SourceList::UsOfacSdn, "1", EntityKind::Person);
        e.push_name("Ivan Petrovich SIDOROV", NameQuality::Primary);
        e.push_classification(Classification::WatchlistSanctionsLists);
        let mut b = IndexBuilder::new();
        b.add_entities([e]);
        let index = b.build();
        let mut summary = BatchSummary::new(1);
        let options = ScreenOptions::default();
        let hit = summary.screen(&index, "c1", &Query::person("Ivan Sidorov"), &options);
        assert_eq!(hit.len(), 1);
        assert!(hit[0].why.contains("ivan"), "{}", hit[0].why);
        summary.screen(&index, "c2", &Query::person("Ada Lovelace"), &options);
        summary.screen(
            &index,
            "c3",
            &Query::person("Ivan Petrovich Sidorov"),
            &options,
        );
        assert_eq!(
            (summary.screened, summary.alerted, summary.alerts),
            (3, 2, 2)
        );
        assert_eq!(summary.by_category["watchlistSanctionsLists"], 2);
        assert_eq!(summary.by_list["us_ofac_sdn"], 2);
        assert_eq!(summary.top.len(), 1);
        assert_eq!(summary.top[0].reference, "c3", "the best alert is kept");
        assert!((summary.alert_rate_per_100k() - 66_666.67).abs() < 0.1);
        assert!(summary.render().contains("2 alerted"));
    }
}
