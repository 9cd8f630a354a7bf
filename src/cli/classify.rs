//! `prism classify`: the face of the prism a scaling lands on, with its scales.

use super::input::SpecInput;
use super::CliResult;
use prism::polytope::{classify, Classification};

/// Flags of `prism classify`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    input: SpecInput,
    /// Print one JSON object instead of the report.
    #[arg(long)]
    json: bool,
}

/// Run `prism classify`.
pub fn run(args: Args) -> CliResult {
    let spec = args.input.parse()?;
    let prism = prism::pipeline::default_prism()?;
    let c = classify(&spec, &prism)?;
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&c)?);
    } else {
        out!("{}", report(&c));
    }
    Ok(())
}

/// The readable classification report.
pub fn report(c: &Classification) -> String {
    let mut out = String::new();
    let push = |out: &mut String, k: &str, v: String| out.push_str(&format!("{k:<14}{v}\n"));
    push(&mut out, "spec", c.spec.clone());
    if c.n_defaulted {
        push(
            &mut out,
            "",
            "(N not given: defaults to inf, no finite training set)".into(),
        );
    }
    push(
        &mut out,
        "direction u",
        format!(
            "({}, {}, {})  in (log r, log q, log 1/alpha) per log n",
            c.u[0], c.u[1], c.u[2]
        ),
    );
    push(
        &mut out,
        "face",
        format!("{}  (dimension {})", c.face, c.face_dim),
    );
    push(
        &mut out,
        "face vertices",
        c.face_vertices
            .iter()
            .map(|v| format!("({}, {}, {})", v[0], v[1], v[2]))
            .collect::<Vec<_>>()
            .join(" "),
    );
    for r in &c.ratios {
        let e = r
            .exponent
            .as_deref()
            .map_or("N = inf".to_string(), |e| format!("n^{e}"));
        push(
            &mut out,
            &format!("  {}", r.name),
            format!("{:<12} ({e})", r.behaviour),
        );
    }
    push(&mut out, "time", format!("t = n^{} tau", c.time_exponent));
    push(
        &mut out,
        "train loss",
        format!("change ~ n^{}", c.train_loss_exponent),
    );
    push(
        &mut out,
        "pop loss",
        format!("change ~ n^{}", c.pop_loss_exponent),
    );
    if c.constants.is_empty() {
        push(&mut out, "constants", "none".into());
    } else {
        push(
            &mut out,
            "constants",
            c.constants
                .iter()
                .map(|k| format!("{} = {} = {}", k.name, k.meaning, k.value))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    if let Some(t) = &c.time {
        push(&mut out, "your t", t.verdict.clone());
    }
    push(&mut out, "hierarchy", c.hierarchy.clone());
    push(
        &mut out,
        "",
        format!(
            "fit verified at orders {}..={} (train), {}..={} (pop)",
            c.orders_used.train.0, c.orders_used.train.1, c.orders_used.pop.0, c.orders_used.pop.1
        ),
    );
    out.push('\n');
    out.push_str(&wrap(&c.description, 78));
    out.push('\n');
    out
}

/// Greedy word wrap.
pub fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for w in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + w.len() > width {
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(w);
    }
    if !line.is_empty() {
        out.push_str(&line);
        out.push('\n');
    }
    out
}
