//! Work shared out over the machine's cores, for the steps a large organisation makes long.
//! The results never depend on how many cores there are.

/// `work` applied to consecutive parts of `items`, one part per core, with the results in the
/// order of `items`. Below `worth_a_thread` items everything runs on the calling thread.
pub fn map_parts<T: Sync, R: Send>(
    items: &[T],
    worth_a_thread: usize,
    work: impl Fn(&[T]) -> Vec<R> + Sync,
) -> Vec<R> {
    let cores = cores();
    if cores == 1 || items.len() < worth_a_thread.max(2) {
        return work(items);
    }
    let work = &work;
    std::thread::scope(|scope| {
        let parts: Vec<_> = items
            .chunks(items.len().div_ceil(cores))
            .map(|part| scope.spawn(move || work(part)))
            .collect();
        let mut results = Vec::new();
        for part in parts {
            let done = part.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            results.extend(done);
        }
        results
    })
}

/// The cores work is shared out over (1 where the system cannot tell).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// `a()` and `b()`, run at once when the machine has a core for each.
pub fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    if cores() == 1 {
        return (a(), b());
    }
    std::thread::scope(|scope| {
        let b = scope.spawn(b);
        let a = a();
        (a, b.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_of_the_items() {
        let items: Vec<u32> = (0..10_000).collect();
        let doubled = map_parts(&items, 10, |part| part.iter().map(|i| i * 2).collect());
        assert_eq!(doubled, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        let few = map_parts(&items[..3], 10, |part| part.to_vec());
        assert_eq!(few, vec![0, 1, 2]);
    }
}
