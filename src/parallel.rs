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

/// `work` on each of `items` in turn, all that it puts out concatenated in the order of
/// `items`, made on all cores and written straight into one vector of the exact size:
/// `count(item)` says how many results `work` puts out for it. For results that together
/// take hundreds of megabytes: no part of them is ever held twice, and each item is let go
/// (dropped) as soon as its results are made.
///
/// Written here because gathering per-core vectors and joining them (rayon's way for results
/// of unknown number) holds the results twice while they are joined.
///
/// # Panics
/// If `work` puts out another number of results than `count` said, or panics itself.
pub fn flat_map_exact<T: Send, R: Send>(
    items: Vec<T>,
    count: impl Fn(&T) -> usize,
    work: impl Fn(T, &mut Filler<'_, R>) + Sync,
) -> Vec<R> {
    let counts: Vec<usize> = items.iter().map(count).collect();
    let total: usize = counts.iter().sum();
    let mut out = Vec::with_capacity(total);
    let cores = cores();
    let per_core = total.div_ceil(cores).max(1);
    let work = &work;
    let mut slots = &mut out.spare_capacity_mut()[..total];
    let mut items = items.into_iter().zip(counts).peekable();
    std::thread::scope(|scope| {
        let mut parts = Vec::with_capacity(cores);
        for core in 0..cores {
            let last = core + 1 == cores;
            let (mut group, mut made) = (Vec::new(), 0);
            while let Some((item, n)) = items.next_if(|_| last || made < per_core) {
                group.push(item);
                made += n;
            }
            let (mine, rest) = std::mem::take(&mut slots).split_at_mut(made);
            slots = rest;
            let fill = move || {
                let mut filler = Filler {
                    slots: mine,
                    filled: 0,
                };
                for item in group {
                    work(item, &mut filler);
                }
                assert_eq!(
                    filler.filled,
                    filler.slots.len(),
                    "fewer results than counted: a bug in rota"
                );
            };
            if last {
                fill();
            } else {
                parts.push(scope.spawn(fill));
            }
        }
        for part in parts {
            part.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        }
    });
    // SAFETY: the parts of `slots` handed out cover the first `total` slots of `out`, one
    // part per core, and each part was found filled in full (`filled == slots.len()`, and
    // `Filler::push` writes the slots in order without skipping one) before it was given
    // back; a panic on any core (an unfilled part included) stops here, before `set_len`,
    // and leaves `out` empty.
    unsafe { out.set_len(total) };
    out
}

/// Where [`flat_map_exact`]'s work puts its results: the next of the slots counted for them.
pub struct Filler<'s, R> {
    slots: &'s mut [std::mem::MaybeUninit<R>],
    filled: usize,
}

impl<R> Filler<'_, R> {
    /// # Panics
    /// Past the number of results counted.
    pub fn push(&mut self, result: R) {
        let Some(slot) = self.slots.get_mut(self.filled) else {
            panic!("more results than counted: a bug in rota");
        };
        slot.write(result);
        self.filled += 1;
    }
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

    #[test]
    fn results_made_in_place_are_those_of_each_item_in_order() {
        // Items of very different sizes, some with nothing, so that cores split unevenly.
        let items: Vec<Vec<u32>> = (0..500u32).map(|i| (0..(i * 7) % 23).collect()).collect();
        let expected: Vec<(usize, u32)> = items
            .iter()
            .enumerate()
            .flat_map(|(k, item)| item.iter().map(move |&v| (k, v * 3)))
            .collect();
        let numbered: Vec<(usize, Vec<u32>)> = items.into_iter().enumerate().collect();
        let made = flat_map_exact(
            numbered,
            |(_, item)| item.len(),
            |(k, item), out| {
                for v in item {
                    out.push((k, v * 3));
                }
            },
        );
        assert_eq!(made, expected);
        let nothing: Vec<u32> = flat_map_exact(Vec::<Vec<u32>>::new(), Vec::len, |_, _| {});
        assert!(nothing.is_empty());
    }

    #[test]
    #[should_panic(expected = "fewer results than counted")]
    fn work_that_makes_fewer_results_than_counted_fails_rather_than_leaving_gaps() {
        flat_map_exact(
            vec![3usize, 4],
            |&n| n,
            |n, out| {
                for v in 1..n {
                    out.push(v);
                }
            },
        );
    }

    #[test]
    #[should_panic(expected = "more results than counted")]
    fn work_that_makes_more_results_than_counted_fails() {
        flat_map_exact(
            vec![1usize],
            |&n| n,
            |n, out| {
                for v in 0..=n {
                    out.push(v);
                }
            },
        );
    }
}
