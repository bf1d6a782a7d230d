//! "Did you mean …?": the known words nearest a misspelt one, by edit distance only. A word is
//! offered only when it is near (a typo, not a different word), so a suggestion is never a guess.

/// Edit distance in characters: insertions, deletions, substitutions and swaps of two neighbours
/// ("nwo" is one edit from "now"), each one edit (the optimal string alignment distance).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // Three rows: two back (for a swap), the last, and this one.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut last: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            row[j] = (last[j] + 1).min(row[j - 1] + 1).min(last[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                row[j] = row[j].min(before[j - 2] + 1);
            }
        }
        before = std::mem::replace(&mut last, row);
    }
    last[b.len()]
}

/// Nothing longer is a misspelt name: no suggestion is looked for (and none costs more than this).
const LONGEST: usize = 64;

/// How far a word may be from `typed` and still be what was meant: one edit, or one in three
/// characters of a longer word.
fn near(typed: &str) -> usize {
    (typed.chars().count() / 3).max(1)
}

/// The known words nearest `typed` (case ignored), at most three in the order given, all at the
/// smallest distance found, and none farther than [`near`]. Empty when nothing is close.
pub fn closest<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let typed = typed.trim().to_lowercase();
    let length = typed.chars().count();
    let mut best: Option<usize> = None;
    let mut words: Vec<&str> = Vec::new();
    if length > LONGEST {
        return Vec::new();
    }
    for word in known {
        // Words whose lengths differ by more than the edits allowed cannot be near: not measured.
        if words.iter().any(|w| w.eq_ignore_ascii_case(word)) || word.chars().count().abs_diff(length) > near(&typed) {
            continue;
        }
        let d = edit_distance(&typed, &word.to_lowercase());
        if d > near(&typed) {
            continue;
        }
        match best {
            Some(b) if d > b => {}
            Some(b) if d == b => words.push(word),
            _ => {
                best = Some(d);
                words = vec![word];
            }
        }
    }
    words.into_iter().take(3).map(str::to_owned).collect()
}

/// ", did you mean a?" / "a, b or c?" for `closest`'s answer; empty when it is empty.
pub fn did_you_mean(closest: &[String]) -> String {
    match closest {
        [] => String::new(),
        [one] => format!("did you mean {one}?"),
        [first @ .., last] => format!("did you mean {} or {last}?", first.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_near_words_are_offered_the_nearest_first() {
        let known = ["sofia", "tom", "tim", "ana", "Kenji", "now", "schedule", "SOFIA"];
        for (typed, expected) in [
            ("sofa", vec!["sofia"]), // said once, in its first spelling
            ("Sofia", vec!["sofia"]),
            ("nwo", vec!["now"]),
            ("kenj", vec!["Kenji"]),
            ("tam", vec!["tom", "tim"]), // all at the smallest distance, in the order known
            ("shedule", vec!["schedule"]),
            ("zzz", vec![]), // far from everything: no guess
            ("sofiaaaaa", vec![]),
            ("ann", vec!["ana"]),
            ("tne", vec![]), // two edits from a three-letter word: too far
        ] {
            assert_eq!(closest(typed, known), expected, "{typed}");
        }
    }

    #[test]
    fn distances_count_a_swap_as_one_edit() {
        for (a, b, d) in [("", "", 0), ("a", "", 1), ("now", "nwo", 1), ("ann", "tane", 2), ("kitten", "sitting", 3), ("ab", "ba", 1)] {
            assert_eq!((edit_distance(a, b), edit_distance(b, a)), (d, d), "{a} {b}");
        }
    }

    #[test]
    fn the_question_reads_as_a_sentence() {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(did_you_mean(&[]), "");
        assert_eq!(did_you_mean(&s(&["sofia"])), "did you mean sofia?");
        assert_eq!(did_you_mean(&s(&["tom", "ana"])), "did you mean tom or ana?");
        assert_eq!(did_you_mean(&s(&["a", "b", "c"])), "did you mean a, b or c?");
    }
}
