//! Each line of code parsed once per parser state: the grammars' regular expressions are
//! most of a clean build's highlighting, and code repeats lines (blank lines, closing
//! braces, imports, the same keys in YAML examples). A line's scopes depend on the line
//! and the state the parser is in before it, nothing else, so a line seen before in an
//! equal state reuses what that parse gave: the output is the same byte for byte.

use crate::hash::{HashMap, HashSet};
use std::cell::RefCell;
use syntect::html::{ClassStyle, line_tokens_to_classed_spans};
use syntect::parsing::{ParseState, ScopeStack, ScopeStackOp, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;
use xxhash_rust::xxh3::{Xxh3Default, xxh3_64};

/// Past this many remembered lines (on one thread), new ones are no longer kept: the
/// memo's memory stays bounded (some ten megabytes) on any site.
const MAX_REMEMBERED: usize = 50_000;
/// Lines met once (as hashes), before the oldest are forgotten: a line's parse is kept
/// only when it is met a second time, so lines met once (most of them) cost 8 bytes.
const MAX_MET_ONCE: usize = 200_000;
/// Lines longer than this are parsed every time: long lines rarely repeat.
const MAX_REMEMBERED_LINE: usize = 256;
/// States a line is remembered in: a blank line is met in many states, most of them rare.
const MAX_STATES_PER_LINE: usize = 8;
/// Distinct parser states kept: a grammar has tens of them in practice.
const MAX_STATES: usize = 4096;

type Ops = Vec<(usize, ScopeStackOp)>;

/// One parse of a line: the states before and after it (indexes into `Memo::states`),
/// and the scope operations it gave.
struct Parsed {
    before: u32,
    after: u32,
    ops: Ops,
}

/// The parses one thread remembered. Per thread, because a parser state holds regular
/// expression captures that may not cross threads (onig's regions); the threads of a
/// build are few and long-lived, so each soon knows the common lines.
#[derive(Default)]
struct Memo {
    /// The syntax set the states' context ids belong to (by address): a memo is for one.
    /// Every set is syntect's defaults, so a set made later at a freed one's address
    /// would number its contexts alike anyway.
    syntaxes: usize,
    /// Each distinct state met, once; lines refer to them by index.
    states: Vec<ParseState>,
    /// The states by a hash of their debug form (`ParseState` has no `Hash`).
    states_by_hash: HashMap<u64, Vec<u32>>,
    by_line: HashMap<Box<str>, Vec<Parsed>>,
    remembered: usize,
    /// Hashes of (state before, line) met once and not remembered yet.
    met_once: HashSet<u64>,
    /// Each syntax's first state (by the syntax's address in the set): every block
    /// starts there, and finding it among the states formats and hashes it.
    starts: HashMap<usize, Option<u32>>,
}

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::default();
}

impl Memo {
    /// The index of `state` among the states kept, kept now if it is new and there is
    /// room. `None` for a state that holds captures (a heredoc's delimiter, a fence's
    /// backticks): syntect compares their regions by address, so such a state equals no
    /// other, not even its own copy, and is never met again.
    fn index_of(&mut self, state: &ParseState) -> Option<u32> {
        if *state != state.clone() {
            return None;
        }
        let hash = xxh3_64(format!("{state:?}").as_bytes());
        let same = self.states_by_hash.get(&hash).into_iter().flatten();
        if let Some(at) = same
            .into_iter()
            .find(|&&at| self.states[at as usize] == *state)
        {
            return Some(*at);
        }
        if self.states.len() >= MAX_STATES {
            return None;
        }
        let at = u32::try_from(self.states.len()).ok()?;
        self.states.push(state.clone());
        self.states_by_hash.entry(hash).or_default().push(at);
        Some(at)
    }

    /// Whether (`before`, `line`) was met before; remembers that it was met now.
    fn met_before(&mut self, before: u32, line: &str) -> bool {
        let mut hasher = Xxh3Default::new();
        hasher.update(&before.to_le_bytes());
        hasher.update(line.as_bytes());
        let met = hasher.digest();
        if self.met_once.remove(&met) {
            return true;
        }
        if self.met_once.len() >= MAX_MET_ONCE {
            self.met_once.clear();
        }
        self.met_once.insert(met);
        false
    }
}

/// The HTML of `code` (lines ending in newlines) in `syntax`, as syntect's
/// `ClassedHTMLGenerator` makes it; `None` where the grammar fails.
pub fn html(
    code: &str,
    syntax: &SyntaxReference,
    syntaxes: &SyntaxSet,
    style: ClassStyle,
) -> Option<String> {
    MEMO.with_borrow_mut(|memo| {
        let set = std::ptr::from_ref(syntaxes) as usize;
        if memo.syntaxes != set {
            *memo = Memo {
                syntaxes: set,
                ..Memo::default()
            };
        }
        let mut state = ParseState::new(syntax);
        // The index of `state` in `memo.states`, when known.
        let start = std::ptr::from_ref(syntax) as usize;
        let mut index = match memo.starts.get(&start) {
            Some(&index) => index,
            None => {
                let index = memo.index_of(&state);
                memo.starts.insert(start, index);
                index
            }
        };
        let mut scopes = ScopeStack::new();
        let mut open_spans: isize = 0;
        let mut html = String::with_capacity(code.len() * 2);
        for line in LinesWithEndings::from(code) {
            let ops = parse(memo, line, &mut state, &mut index, syntaxes)?;
            let (spans, delta) =
                line_tokens_to_classed_spans(line, &ops, style, &mut scopes).ok()?;
            open_spans += delta;
            html.push_str(&spans);
        }
        for _ in 0..open_spans {
            html.push_str("</span>");
        }
        Some(html)
    })
}

/// The scope operations of `line` parsed from `state` (at `index` in the memo's states),
/// which moves past it.
fn parse(
    memo: &mut Memo,
    line: &str,
    state: &mut ParseState,
    index: &mut Option<u32>,
    syntaxes: &SyntaxSet,
) -> Option<Ops> {
    let before = (*index).filter(|_| line.len() <= MAX_REMEMBERED_LINE);
    if let Some(before) = before {
        let seen = memo.by_line.get(line).into_iter().flatten();
        if let Some(parsed) = seen.into_iter().find(|p| p.before == before) {
            *state = memo.states[parsed.after as usize].clone();
            *index = Some(parsed.after);
            return Some(parsed.ops.clone());
        }
    }
    let ops = state.parse_line(line, syntaxes).ok()?;
    // Most lines end in the state they began in: that compare is cheaper than a lookup.
    *index = match *index {
        Some(was) if memo.states[was as usize] == *state => Some(was),
        _ => memo.index_of(state),
    };
    if let (Some(before), Some(after)) = (before, *index)
        && memo.remembered < MAX_REMEMBERED
        && memo.met_before(before, line)
    {
        let states = memo.by_line.entry(line.into()).or_default();
        if states.len() < MAX_STATES_PER_LINE {
            states.push(Parsed {
                before,
                after,
                ops: ops.clone(),
            });
            memo.remembered += 1;
        }
    }
    Some(ops)
}

#[cfg(test)]
mod tests {
    use super::*;
    use syntect::html::ClassedHTMLGenerator;

    /// What syntect's own generator makes of `code`.
    fn syntects(code: &str, syntax: &SyntaxReference, syntaxes: &SyntaxSet) -> String {
        let style = ClassStyle::SpacedPrefixed { prefix: "hl-" };
        let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes, style);
        for line in LinesWithEndings::from(code) {
            generator
                .parse_html_for_line_which_includes_newline(line)
                .unwrap();
        }
        generator.finalize()
    }

    #[test]
    fn a_remembered_line_gives_what_a_fresh_parse_gives() {
        let syntaxes = SyntaxSet::load_defaults_newlines();
        let style = ClassStyle::SpacedPrefixed { prefix: "hl-" };
        // The same lines in different states: inside a string, a comment, code; and a
        // block that leaves spans open at its end.
        let blocks = [
            ("rust", "fn a() {\n    let x = 1;\n}\n"),
            ("rust", "/* open\n    let x = 1;\n}\n*/\n    let x = 1;\n"),
            ("rust", "let s = \"\n    let x = 1;\n}\n\";\n"),
            ("rust", "fn a() {\n    let x = 1;\n}\n"),
            (
                "python",
                "def f():\n    \"\"\"doc\n    return 1\n    \"\"\"\n    return 1\n",
            ),
            ("python", "def f():\n    return 1\n"),
            ("yaml", "key: |\n  id: 1\nid: 1\n"),
            ("yaml", "id: 1\nlist:\n  - id: 1\n"),
            ("rust", "/* never closed\n\n"),
        ];
        for (lang, code) in blocks {
            let syntax = syntaxes.find_syntax_by_token(lang).unwrap();
            let expected = syntects(code, syntax, &syntaxes);
            for round in 0..2 {
                let html = html(code, syntax, &syntaxes, style).unwrap();
                assert_eq!(html, expected, "{lang} {code:?}, round {round}");
            }
        }
        // Blocks drawn from a pool of lines that open and close strings, comments and
        // blocks, so that lines recur in many states.
        let pool = [
            "fn a() {\n",
            "}\n",
            "\n",
            "    let x = 1;\n",
            "/* c\n",
            "*/\n",
            "\"s\n",
            "\";\n",
            "r#\"raw\n",
            "\"#;\n",
            "// note\n",
            "    x += \"}\";\n",
        ];
        let rust = syntaxes.find_syntax_by_token("rust").unwrap();
        let mut seed: u64 = 7;
        for _ in 0..300 {
            let mut code = String::new();
            for _ in 0..6 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                code.push_str(pool[(seed >> 33) as usize % pool.len()]);
            }
            let html = html(&code, rust, &syntaxes, style).unwrap();
            assert_eq!(html, syntects(&code, rust, &syntaxes), "{code:?}");
        }
        // States that hold captures (a heredoc's delimiter, a fence's backticks) are
        // never kept: each would equal no other, and scanning thousands of them made a
        // runbook of heredocs several times slower than syntect alone.
        let states_before = MEMO.with_borrow(|memo| memo.states.len());
        for k in 0..200 {
            for (lang, code) in [
                (
                    "bash",
                    format!("cat > conf{k}.yaml <<EOF{k}\nname: app\nport: {k}\nEOF{k}\n"),
                ),
                (
                    "markdown",
                    format!("Step {k}\n\n````rust\nlet x = {k};\n````\n"),
                ),
            ] {
                let syntax = syntaxes.find_syntax_by_token(lang).unwrap();
                let html = html(&code, syntax, &syntaxes, style).unwrap();
                assert_eq!(html, syntects(&code, syntax, &syntaxes), "{code:?}");
            }
        }
        let states_after = MEMO.with_borrow(|memo| memo.states.len());
        assert!(
            states_after - states_before < 50,
            "{} states kept for 400 blocks",
            states_after - states_before
        );
        MEMO.with_borrow(|memo| {
            assert!(
                memo.by_line["    let x = 1;\n"].len() >= 3,
                "one line, remembered in each state it was met in"
            );
        });
    }
}
