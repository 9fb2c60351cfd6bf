//! Which stored subjects a mistyped filter probably meant: edit distance.

/// Levenshtein distance (insertions, deletions, substitutions), by characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Up to `n` of `candidates` nearest to `filter`, nearest first (ties by name), only
/// those within half the filter's length: a filter far from every subject names none.
pub fn closest<'a>(
    filter: &str,
    candidates: impl Iterator<Item = &'a str>,
    n: usize,
) -> Vec<String> {
    let limit = filter.chars().count().div_ceil(2);
    let mut scored: Vec<(usize, &str)> = candidates
        .map(|c| (edit_distance(filter, c), c))
        .filter(|(d, _)| *d <= limit)
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(n)
        .map(|(_, c)| c.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("orders.bilingg", "orders.billing"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn closest_names_the_typo_first_and_drops_far_ones() {
        let stored = ["orders.billing", "orders.shipping", "zzz"];
        let got = closest("orders.bilingg", stored.iter().copied(), 3);
        assert_eq!(got, ["orders.billing", "orders.shipping"]);
    }
}
