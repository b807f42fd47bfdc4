//! Writes a synthetic site for benchmarks: N policies (600–1,500 words, headings, lists, a
//! GFM table, 1–3 code blocks, 3–6 cross-links), N/2 controls in an extra catalogue,
//! N/20 AI systems and N/10 risks, with mixed visibility; and the same Markdown laid out
//! for Hugo, so both tools render the same text.
//!
//!     cargo run --release --example corpus -- N OUT_DIR
//!
//! writes OUT_DIR/trustbook/ (a trustbook site) and OUT_DIR/hugo/ (a Hugo site).
//! The output depends only on N: the same N gives the same bytes.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

/// A small deterministic generator, so corpora are reproducible without a crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "model",
    "data",
    "risk",
    "review",
    "owner",
    "control",
    "system",
    "policy",
    "customer",
    "staff",
    "assessment",
    "impact",
    "fairness",
    "monitoring",
    "evaluation",
    "release",
    "supplier",
    "record",
    "evidence",
    "approval",
    "the",
    "each",
    "our",
    "must",
    "is",
    "are",
    "with",
    "for",
    "and",
    "of",
    "before",
    "after",
    "every",
    "quarter",
    "incident",
    "human",
    "oversight",
    "transparency",
    "log",
];
const HEADINGS: &[&str] = &[
    "Purpose",
    "Scope",
    "Roles",
    "Requirements",
    "Monitoring",
    "Records",
    "Exceptions",
    "Review",
];

fn sentence(rng: &mut Rng) -> String {
    let length = 8 + rng.below(12);
    let mut words: Vec<&str> = (0..length).map(|_| rng.pick(WORDS)).collect();
    let first = words[0];
    let capital = first[..1].to_uppercase() + &first[1..];
    words[0] = Box::leak(capital.into_boxed_str());
    words.join(" ") + "."
}

fn code_block(rng: &mut Rng, i: usize) -> String {
    match rng.below(4) {
        0 => format!(
            "```yaml\nid: REC-{i}\nowner: Head of AI Governance\nreview:\n  every: 12 months\n  next: 2027-0{}-01\n```\n",
            1 + rng.below(9)
        ),
        1 => format!(
            "```python\ndef check_{i}(dataset):\n    \"\"\"Quality gate {i}.\"\"\"\n    assert dataset.empty_share() < 0.01\n    return [row for row in dataset if row.label is not None]\n```\n"
        ),
        2 => format!(
            "```rust\nfn gate_{i}(score: f64) -> bool {{\n    // release only above the agreed threshold\n    score >= 0.{}\n}}\n```\n",
            80 + rng.below(19)
        ),
        _ => format!(
            "```json\n{{\"policy\": \"POL-{i}\", \"controls\": [\"BC-{}\"], \"public\": {}}}\n```\n",
            rng.below(100),
            rng.below(2) == 0
        ),
    }
}

/// The Markdown body of policy `i` of `n`; links name other policies by file and heading.
fn body(rng: &mut Rng, i: usize, n: usize, link_suffix: &str) -> String {
    let mut text = format!("# Policy {i}\n\n");
    let target_words = 600 + rng.below(900);
    let mut words = 0;
    let mut links = 3 + rng.below(4);
    let mut code_blocks = 1 + rng.below(3);
    let mut table = true;
    let mut section = 0;
    while words < target_words {
        let heading = HEADINGS[section % HEADINGS.len()];
        section += 1;
        let _ = writeln!(text, "## {heading} {section}\n");
        for _ in 0..3 {
            let mut paragraph = String::new();
            for _ in 0..4 {
                let s = sentence(rng);
                words += s.split(' ').count();
                paragraph.push_str(&s);
                paragraph.push(' ');
            }
            if links > 0 && n > 1 {
                links -= 1;
                let other = (i + 1 + rng.below(n - 1)) % n;
                let _ = write!(
                    paragraph,
                    "See [policy {other}](policy-{other}{link_suffix}#purpose-1)."
                );
            }
            let _ = writeln!(text, "{}\n", paragraph.trim_end());
        }
        let _ = writeln!(
            text,
            "- {}\n- {}\n- {}\n",
            sentence(rng),
            sentence(rng),
            sentence(rng)
        );
        if table {
            table = false;
            text.push_str("| Role | Responsibility | Frequency |\n|---|---|---|\n");
            for _ in 0..4 {
                let _ = writeln!(
                    text,
                    "| {} | {} | {} |",
                    rng.pick(WORDS),
                    sentence(rng),
                    rng.pick(&["monthly", "quarterly", "yearly"])
                );
            }
            text.push('\n');
        }
        if code_blocks > 0 {
            code_blocks -= 1;
            text.push_str(&code_block(rng, i * 10 + section));
            text.push('\n');
        }
    }
    text
}

fn visibility(rng: &mut Rng) -> &'static str {
    ["public", "restricted", "internal", "internal"][rng.below(4)]
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: corpus N OUT_DIR";
    let n: usize = args.next().and_then(|a| a.parse().ok()).expect(usage);
    let out = std::path::PathBuf::from(args.next().expect(usage));
    let site = out.join("trustbook");
    let hugo = out.join("hugo");
    let _ = fs::remove_dir_all(&out);
    let mut rng = Rng(0x5eed_1234_abcd_ef01 ^ n as u64);

    write(
        &site.join("content/site.yaml"),
        "title: Benchmark Trust Centre\norganisation: Bench Ltd\nbase_url: https://trust.example.com/\nframeworks: [bench]\ncontact:\n  email: ai@example.com\n",
    );
    let controls = (n / 2).max(1);
    let mut catalog = String::from(
        "framework: bench\nname: Benchmark controls\nobjectives:\n  - {id: BC, title: Benchmark}\ncontrols:\n",
    );
    for c in 0..controls {
        let _ = writeln!(
            catalog,
            "  - {{id: BC-{c}, objective: BC, title: \"Benchmark control {c}\"}}"
        );
    }
    write(&site.join("content/catalogs/bench.yaml"), &catalog);
    for c in 0..controls {
        let vis = visibility(&mut rng);
        let summary = if vis == "internal" {
            String::new()
        } else {
            format!("public_summary: Control {c} is in place.\n")
        };
        write(
            &site.join(format!("content/controls/bc-{c}.yaml")),
            &format!(
                "id: BC-{c}\napplicable: true\njustification: Needed for benchmark {c}.\nstatus: implemented\nowner: Head of AI Governance\npolicies: [POL-{}]\nvisibility: {vis}\n{summary}",
                c % n
            ),
        );
    }
    for s in 0..(n / 20).max(1) {
        write(
            &site.join(format!("content/systems/system-{s}.yaml")),
            &format!(
                "id: SYS-{s}\nname: System {s}\ndescription: Benchmark system {s}.\nrole: deployer\npurpose: Benchmarking.\nlifecycle: production\nrisk_class: minimal\nhuman_oversight: A person reviews every output.\nowner: Head of IT\nvisibility: public\npublic_summary: System {s} for benchmarks.\n"
            ),
        );
    }
    for r in 0..(n / 10).max(1) {
        write(
            &site.join(format!("content/risks/risk-{r}.yaml")),
            &format!(
                "id: RSK-{r}\ntitle: Risk {r}\ndescription: Benchmark risk {r}.\nowner: Head of IT\nsystems: [SYS-{}]\nlikelihood: {}\nimpact: {}\ntreatment: mitigate\ncontrols: [BC-{}]\nstatus: open\n",
                r % (n / 20).max(1),
                1 + rng.below(5),
                1 + rng.below(5),
                r % controls
            ),
        );
    }

    write(
        &hugo.join("hugo.toml"),
        "baseURL = 'https://trust.example.com/'\ntitle = 'Benchmark'\ndisableKinds = ['taxonomy', 'term', 'RSS', 'sitemap']\n[markup.highlight]\n  noClasses = false\n",
    );
    write(
        &hugo.join("layouts/_default/single.html"),
        "<!doctype html><html><head><title>{{ .Title }}</title></head><body>{{ .Content }}</body></html>\n",
    );
    write(
        &hugo.join("layouts/_default/list.html"),
        "<!doctype html><html><body>{{ range .Pages }}<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>{{ end }}</body></html>\n",
    );
    for i in 0..n {
        let mut copy = Rng(rng.0);
        let text = body(&mut rng, i, n, ".md");
        // Hugo resolves links by its own rules: give it the same text with plain page links.
        let hugo_text = body(&mut copy, i, n, "").replace("](policy-", "](../policy-");
        let vis = visibility(&mut Rng(i as u64 + 1));
        let summary = if vis == "internal" {
            String::new()
        } else {
            format!("public_summary: Policy {i} in brief.\n")
        };
        write(
            &site.join(format!("content/policies/policy-{i}.md")),
            &format!(
                "---\nid: POL-{i}\ntitle: Policy {i}\nversion: \"1.0\"\nstatus: approved\nowner: Head of AI Governance\napproved_by: Board\napproved_on: 2026-01-01\nnext_review: 2030-01-01\nvisibility: {vis}\n{summary}---\n\n{text}"
            ),
        );
        write(
            &hugo.join(format!("content/policies/policy-{i}.md")),
            &format!("---\ntitle: Policy {i}\n---\n\n{hugo_text}"),
        );
    }
    println!("wrote {} and {}", site.display(), hugo.display());
}
