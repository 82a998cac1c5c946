//! `bench/monitoring.sh`: the monitoring run that follows a list import, on `CLIENTS` monitored
//! checks with synthetic names in a real database, against a delta touching 1 % of the OFAC SDN
//! list's entities; and, in the same run on the same registrations, a full re-screen of every
//! one against the whole list (the baseline monitoring without deltas would need). Both read
//! the registrations from the database page by page and screen on one thread.
//!
//! Usage: monitoring_bench SDN_FOLDER [CLIENTS] [DATABASE_URL]

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clearance::blobs::EncryptedBlobs;
use clearance_blob::{BlobConfig, BlobStore};
use clearance_core::checks::CheckType;
use clearance_core::clock::{Clock, SystemClock};
use clearance_core::monitoring::{DeltaScreener, MonitoredCheck, PreparedDelta, ScreeningSubject};
use clearance_core::resources::Rules;
use clearance_core::screening_lists::{DeltaEntity, EntityChange, ListDelta};
use clearance_core::service::{Services, read_registrations};
use clearance_core::store::{Change, Store};
use clearance_core::{Mode, Scope};
use clearance_engines::screening::{
    Catalogue, DeltaSearch, ImportOptions, IndexedDelta, import_list,
};
use clearance_screening::Format;

const LIST: &str = "OFAC SDN (monitoring bench)";
const PAGE: u32 = 5_000;
/// One registration in this many is named like an entity the delta adds.
const PLANTED_EVERY: usize = 10_000;

const FIRST: [&str; 48] = [
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Lisa",
    "Matthew",
    "Nancy",
    "Anthony",
    "Sandra",
    "Mark",
    "Ashley",
    "Paul",
    "Emily",
    "Steven",
    "Donna",
    "Andrew",
    "Michelle",
    "Joshua",
    "Carol",
    "Kevin",
    "Amanda",
    "Brian",
    "Melissa",
    "Oliver",
    "Amelia",
    "Noah",
    "Olivia",
    "Lucas",
    "Sofia",
    "Mateo",
    "Camila",
];
const LAST: [&str; 64] = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Schmidt",
    "Muller",
    "Rossi",
    "Dubois",
    "Kowalski",
    "Novak",
    "Jensen",
    "Silva",
    "Santos",
    "Kim",
    "Park",
    "Chen",
    "Wang",
    "Singh",
];

/// xorshift64*: a fixed-seed generator, so every run screens the same population.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }
}

/// Writes the list without one entity in a hundred (v1); the whole file is v2, so v2's delta
/// adds 1 % of the list.
fn write_v1(sdn: &Path, out: &Path) -> anyhow::Result<usize> {
    std::fs::create_dir_all(out)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(sdn.join("sdn.csv"))
        .context("reading sdn.csv")?;
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_path(out.join("sdn.csv"))?;
    let mut dropped = 0;
    for (i, record) in reader.records().enumerate() {
        let record = record?;
        if i % 100 == 50 {
            dropped += 1;
            continue;
        }
        writer.write_record(&record)?;
    }
    writer.flush()?;
    Ok(dropped)
}

fn subject(rng: &mut Rng, planted: Option<&str>) -> ScreeningSubject {
    let name = match planted {
        Some(listed) => listed.to_owned(),
        None if rng.next().is_multiple_of(3) => {
            format!(
                "{} {} {}",
                rng.pick(&FIRST),
                rng.pick(&FIRST),
                rng.pick(&LAST)
            )
        }
        None => format!("{} {}", rng.pick(&FIRST), rng.pick(&LAST)),
    };
    let dob = format!(
        "{}-{:02}-{:02}",
        1940 + rng.next() % 65,
        1 + rng.next() % 12,
        1 + rng.next() % 28
    );
    ScreeningSubject {
        company: false,
        name,
        dob: planted.is_none().then_some(dob),
        ..ScreeningSubject::default()
    }
}

/// Registers `clients` monitored checks (as a live check with monitoring on registers itself);
/// answers how many are named like one of `planted`.
async fn register(
    store: &Arc<dyn Store>,
    clients: usize,
    planted: &[String],
) -> anyhow::Result<usize> {
    let scope = Scope::new("bench", Mode::Live);
    let mut rng = Rng(0x5EED_CAFE_F00D_0001);
    let now = SystemClock.now_ms();
    let mut batch = Vec::with_capacity(PAGE as usize);
    let mut named_like = 0;
    for i in 0..clients {
        let plant = (i % PLANTED_EVERY == 0 && !planted.is_empty())
            .then(|| planted[(i / PLANTED_EVERY) % planted.len()].as_str());
        named_like += usize::from(plant.is_some());
        let monitored = MonitoredCheck {
            check_id: format!("{i:024x}"),
            check_type: CheckType::StandardScreening,
            subject: subject(&mut rng, plant),
            options: Default::default(),
            entity_ids: Vec::new(),
        };
        batch.push(Change::Insert(monitored.resource(
            &scope,
            &format!("c{i:023x}"),
            now,
        )));
        if batch.len() == PAGE as usize {
            store.apply(std::mem::take(&mut batch)).await?;
        }
    }
    if !batch.is_empty() {
        store.apply(batch).await?;
    }
    Ok(named_like)
}

/// Every registration read and decoded as a run reads them, nothing screened: the floor under
/// both runs.
async fn read_only(store: &Arc<dyn Store>) -> anyhow::Result<u64> {
    let mut read = 0;
    let (mut after, mut page) = read_registrations(store.as_ref(), None).await?;
    while !page.is_empty() {
        read += page.len() as u64;
        let Some(from) = after else { break };
        (after, page) = read_registrations(store.as_ref(), Some(&from)).await?;
    }
    Ok(read)
}

/// The baseline: every registration screened against the whole list, read as a run reads them
/// (each page screened on a blocking thread while the next one is read and decoded).
async fn full_rescreen(store: &Arc<dyn Store>, whole: Arc<IndexedDelta>) -> anyhow::Result<u64> {
    let mut touched = 0;
    let (mut after, mut page) = read_registrations(store.as_ref(), None).await?;
    while !page.is_empty() {
        let index = whole.clone();
        let screened = tokio::task::spawn_blocking(move || {
            page.iter()
                .filter(|(_, _, m)| !index.screen(m).is_empty())
                .count() as u64
        });
        let next = async {
            match after.as_deref() {
                Some(from) => read_registrations(store.as_ref(), Some(from)).await,
                None => Ok((None, Vec::new())),
            }
        };
        let (screened, next) = tokio::join!(screened, next);
        touched += screened?;
        (after, page) = next?;
    }
    Ok(touched)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let sdn = Path::new(
        args.get(1)
            .context("usage: monitoring_bench SDN_FOLDER [CLIENTS] [DATABASE_URL]")?,
    );
    let clients: usize = args.get(2).map_or(Ok(1_000_000), |c| c.parse())?;
    let database = args.get(3).cloned();
    let dir = tempfile::tempdir()?;
    let store = clearance::wiring::open_store(database.as_deref(), dir.path()).await?;
    let out = std::io::stdout();
    let say = |line: String| {
        let mut out = out.lock();
        let _ = writeln!(out, "{line}");
    };
    say(format!(
        "# {} CPUs; database: {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        if database.is_some() {
            "PostgreSQL"
        } else {
            "SQLite (embedded default)"
        }
    ));

    let v1 = dir.path().join("v1");
    let dropped = write_v1(sdn, &v1)?;
    let options = ImportOptions {
        name: Some(LIST),
        ..ImportOptions::default()
    };
    import_list(
        store.as_ref(),
        Format::OfacCsv,
        &v1,
        options,
        SystemClock.now_ms(),
    )
    .await
    .map_err(anyhow::Error::msg)?;
    let v2 = import_list(
        store.as_ref(),
        Format::OfacCsv,
        sdn,
        options,
        SystemClock.now_ms(),
    )
    .await
    .map_err(anyhow::Error::msg)?;
    let delta = v2.delta.context("v2 records a delta")?;
    say(format!(
        "list: {} entities; delta {}: {} added, {} changed, {} removed ({:.2} %; {dropped} rows left out of v1)",
        v2.list.entity_count,
        delta.seq,
        delta.added,
        delta.changed,
        delta.removed,
        100.0 * (delta.added + delta.changed + delta.removed) as f64 / v2.list.entity_count as f64
    ));

    let catalogue = Arc::new(Catalogue::default());
    let loaded = catalogue
        .current(store.as_ref())
        .await
        .map_err(anyhow::Error::msg)?;
    let added: Vec<String> =
        clearance_engines::screening::all_delta_entities(store.as_ref(), LIST, delta.seq)
            .await
            .map_err(anyhow::Error::msg)?
            .into_iter()
            .filter(|e| e.change == EntityChange::Added)
            .filter(|e| {
                loaded
                    .index
                    .entity(&e.entity_id)
                    .is_some_and(|x| x.kind == clearance_screening::EntityKind::Person)
            })
            .map(|e| e.name)
            .collect();

    let started = Instant::now();
    let named_like = register(&store, clients, &added).await?;
    say(format!(
        "registered {clients} monitored checks ({named_like} named like an added person) in {:.1} s",
        started.elapsed().as_secs_f64()
    ));

    let config = BlobConfig {
        url: None,
        data_dir: dir.path().to_path_buf(),
        master_key: Some("00".repeat(32)),
        ..BlobConfig::default()
    };
    let blobs = Arc::new(EncryptedBlobs(BlobStore::open(&config).await?));
    let services = Services::new(
        store.clone(),
        blobs,
        Arc::new(SystemClock),
        Rules::default(),
    )
    .with_delta_screener(Arc::new(DeltaSearch::new(store.clone(), catalogue.clone())));

    let started = Instant::now();
    let read = read_only(&store).await?;
    say(format!(
        "reading alone: {:.2} s ({read} registrations read and decoded)",
        started.elapsed().as_secs_f64()
    ));

    if std::env::var_os("MONITORING_BENCH_PROFILE").is_some() {
        // Where a run's time goes: the delta's screening alone, on registrations in memory.
        let prepared = DeltaSearch::new(store.clone(), catalogue.clone())
            .prepare(LIST, delta.seq)
            .await
            .map_err(|e| anyhow::anyhow!(e.0))?
            .context("the delta")?;
        let mut all = Vec::new();
        let (mut after, mut page) = read_registrations(store.as_ref(), None).await?;
        while !page.is_empty() {
            all.extend(page.into_iter().map(|(_, _, m)| m));
            let Some(from) = after else { break };
            (after, page) = read_registrations(store.as_ref(), Some(&from)).await?;
        }
        let started = Instant::now();
        let hits: usize = all.iter().map(|m| prepared.screen(m).len()).sum();
        for _ in 1..std::env::var("MONITORING_BENCH_PROFILE")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(1)
        {
            std::hint::black_box(all.iter().map(|m| prepared.screen(m).len()).sum::<usize>());
        }
        say(format!(
            "screening alone: {:.2} s ({hits} hits)",
            started.elapsed().as_secs_f64()
        ));
    }

    let started = Instant::now();
    let run = services.run_list_monitoring(LIST, delta.seq).await?;
    let delta_secs = started.elapsed().as_secs_f64();
    say(format!(
        "delta re-screen: {delta_secs:.2} s ({} screened, {} touched, {:.0} checks/s)",
        run.screened,
        run.touched,
        run.screened as f64 / delta_secs
    ));

    // The whole list as one "delta" of added entities: the same screening code, every entity.
    let everything: Vec<DeltaEntity> = loaded
        .index
        .entities()
        .iter()
        .map(|e| DeltaEntity {
            entity_id: e.id(),
            change: EntityChange::Added,
            name: e.primary_name().to_owned(),
            previous_name: None,
            hash_before: None,
            hash_after: None,
            fields: Vec::new(),
        })
        .collect();
    let whole_delta = ListDelta {
        seq: 0,
        added: everything.len() as i64,
        changed: 0,
        removed: 0,
        ..delta.clone()
    };
    let records = loaded.index.entities().to_vec();
    let whole = Arc::new(IndexedDelta::build(
        whole_delta,
        v2.list.version.clone(),
        everything,
        records,
        loaded.index.clone(),
    ));
    let started = Instant::now();
    let touched = full_rescreen(&store, whole).await?;
    let full_secs = started.elapsed().as_secs_f64();
    say(format!(
        "full re-screen: {full_secs:.2} s ({clients} screened, {touched} with a match, {:.0} checks/s)",
        clients as f64 / full_secs
    ));
    say(format!(
        "ratio: the delta re-screen takes {:.3} of the full re-screen (1/{:.0}); targets: <= 60 s and <= 1/20",
        delta_secs / full_secs,
        full_secs / delta_secs
    ));
    Ok(())
}
