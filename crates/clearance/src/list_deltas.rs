//! `clearance lists deltas`: what each import changed in the stored lists (issue #25), the same
//! as `GET /v1/screeningLists/{name}/deltas`.

use std::io::{BufWriter, Write};

use anyhow::{Context, bail};
use clap::Args;
use clearance_core::screening_lists::{ListDelta, ListStore};
use clearance_core::time::format_timestamp;
use clearance_engines::screening::all_delta_entities;

#[derive(Args)]
pub struct DeltasArgs {
    /// The list (default: every stored list).
    list: Option<String>,
    /// The delta numbered so (its `seq`).
    #[arg(long, conflicts_with = "version")]
    seq: Option<i64>,
    /// The newest delta that stored this version.
    #[arg(long)]
    version: Option<String>,
    /// Print the delta's entities too (change, id, name; for a changed one its old name, what
    /// changed and its content hashes): the newest delta's unless --seq or --version says.
    #[arg(long)]
    entities: bool,
}

/// Prints the deltas (or one delta with its entities) `args` ask for.
///
/// # Errors
/// The store could not be read, or no such list or delta is kept.
pub async fn deltas(store: &dyn ListStore, args: DeltasArgs) -> anyhow::Result<()> {
    let mut out = BufWriter::new(std::io::stdout().lock());
    let one = args.entities || args.seq.is_some() || args.version.is_some();
    let Some(name) = args.list else {
        if one {
            bail!("name the list whose delta to show (see `clearance lists list`)");
        }
        for list in store.screening_lists().await? {
            writeln!(out, "{}", list.name)?;
            table(&mut out, &store.screening_list_deltas(&list.name).await?)?;
        }
        return Ok(out.flush()?);
    };
    let kept = store.screening_list_deltas(&name).await?;
    if kept.is_empty() {
        bail!("no delta is kept for \"{name}\" (see `clearance lists list` for the names)");
    }
    if !one {
        table(&mut out, &kept)?;
        return Ok(out.flush()?);
    }
    let delta = match (args.seq, args.version.as_deref()) {
        (Some(seq), _) => kept.iter().find(|d| d.seq == seq),
        (None, Some(version)) => kept.iter().find(|d| d.version == version),
        (None, None) => kept.first(),
    }
    .context("no such delta is kept for this list (see `clearance lists deltas LIST`)")?;
    table(&mut out, std::slice::from_ref(delta))?;
    if args.entities {
        writeln!(out)?;
        for e in all_delta_entities(store, &name, delta.seq)
            .await
            .map_err(anyhow::Error::msg)?
        {
            write!(out, "{:<9}{:<28}{}", e.change.code(), e.entity_id, e.name)?;
            if let Some(was) = &e.previous_name {
                write!(out, " (was {was})")?;
            }
            if !e.fields.is_empty() {
                write!(out, " [{}]", e.fields.join(", "))?;
            }
            let hash = |h: &Option<String>| h.clone().unwrap_or_else(|| "-".into());
            writeln!(out, "  {} -> {}", hash(&e.hash_before), hash(&e.hash_after))?;
        }
    }
    Ok(out.flush()?)
}

/// One line per delta: number, versions, time and counts.
fn table(out: &mut impl Write, deltas: &[ListDelta]) -> std::io::Result<()> {
    writeln!(
        out,
        "  {:>5}  {:<26}{:<26}{:<26}{:>8}{:>9}{:>9}",
        "seq", "version", "replaced", "imported", "added", "changed", "removed"
    )?;
    for d in deltas {
        writeln!(
            out,
            "  {:>5}  {:<26}{:<26}{:<26}{:>8}{:>9}{:>9}",
            d.seq,
            d.version,
            d.previous_version.as_deref().unwrap_or("(initial import)"),
            format_timestamp(d.imported_at),
            d.added,
            d.changed,
            d.removed
        )?;
    }
    Ok(())
}
