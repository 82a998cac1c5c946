//! Prints how names normalise (tokens and roles): `normalize_probe [--person] NAME …`.

use clearance_screening::normalize::normalize_name;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let person = args.first().is_some_and(|a| a == "--person");
    if person {
        args.remove(0);
    }
    for name in &args {
        let tokens: Vec<String> = normalize_name(name, person)
            .into_iter()
            .map(|t| format!("{}:{:?}", t.text, t.role))
            .collect();
        println!("{name}\n    {}", tokens.join(" "));
    }
}
