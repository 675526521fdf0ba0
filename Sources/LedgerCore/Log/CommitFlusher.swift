import LedgerLMDB
import Foundation
import Synchronization

/// Makes commits durable off the writer's thread, then tells their callers.
///
/// The environment of a durable ledger is opened with `metaSync: false`: a commit flushes its data
/// pages and writes, without flushing, the meta page that makes it visible. One more `fdatasync`
/// makes it durable. This thread runs that flush while the writer already builds the next batch,
/// so a busy ledger pays one flush per commit on the writer's path instead of two, and no caller
/// is answered before its events are on disk. LMDB never reuses pages of the last two commits,
/// so a crash before the flush loses only unacknowledged commits and leaves the database intact.
final class CommitFlusher: @unchecked Sendable {
    /// A committed command awaiting the flush, with what to answer.
    struct Completion: Sendable {
        let command: PendingCommand
        let outcome: Result<any Sendable, any Error>

        /// Resumes the callers of `completions`. A resume from a thread outside the task pool
        /// wakes an idle pool thread each time (a futex wake, several microseconds in a virtual
        /// machine): a crowd is resumed from one pool task instead, which costs one wake, and the
        /// calling thread goes back to committing at once.
        static func resume(_ completions: [Completion]) {
            if completions.count <= 2 {
                for completion in completions { completion.command.complete(completion.outcome) }
                return
            }
            Task.detached {
                for completion in completions { completion.command.complete(completion.outcome) }
            }
        }
    }

    private let environment: Environment
    /// Called on this thread after it has answered commands, with how many.
    private let answered: @Sendable (Int) -> Void
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var waiting: [Completion] = []
    private var isStopping = false
    private var isStopped = false
    private var thread: Thread?
    /// Commands handed over and not answered yet (readable without the lock).
    private let holding = Atomic<Int>(0)

    /// Commands committed and handed over whose callers have not been answered yet.
    var awaiting: Int { holding.load(ordering: .relaxed) }

    init(environment: Environment, answered: @escaping @Sendable (Int) -> Void) {
        self.environment = environment
        self.answered = answered
        let thread = Thread { [self] in run() }
        thread.name = "ledger-flusher"
        self.thread = thread
        thread.start()
    }

    /// Answers `completions` once a flush that starts after this call has finished.
    func enqueue(_ completions: [Completion]) {
        holding.add(completions.count, ordering: .relaxed)
        condition.lock()
        waiting.append(contentsOf: completions)
        condition.signal()
        condition.unlock()
    }

    /// Flushes on the calling thread and answers `completions`: for a lone commit, where handing
    /// over to this thread would only add a wake-up.
    func flushNow(_ completions: [Completion]) {
        Self.answer(completions, afterFlushing: environment)
    }

    /// Answers what is waiting, then stops the thread. Blocks until it has stopped.
    func stop() {
        condition.lock()
        isStopping = true
        condition.broadcast()
        while !isStopped { condition.wait() }
        // The thread's closure holds this flusher and so the environment: let both go now.
        let finishing = thread
        thread = nil
        condition.unlock()
        if let finishing {
            while !finishing.isFinished { usleep(50) }
        }
    }

    private func run() {
        while true {
            condition.lock()
            while waiting.isEmpty && !isStopping { condition.wait() }
            if waiting.isEmpty {
                isStopped = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let batch = waiting
            waiting.removeAll(keepingCapacity: true)
            condition.unlock()
            Self.answer(batch, afterFlushing: environment)
            holding.subtract(batch.count, ordering: .relaxed)
            answered(batch.count)
        }
    }

    private static func answer(_ completions: [Completion], afterFlushing environment: Environment) {
        do {
            try environment.sync()
        } catch {
            // The commit is in the file but the flush failed: the kernel may have dropped the
            // pages. Say so rather than claim durability.
            let failure = LedgerError(.storage, "the write was committed but flushing it to disk failed (\(error)); it may not survive a crash: check the disk, then read it back before retrying")
            Completion.resume(completions.map { completion in
                if case .success = completion.outcome { Completion(command: completion.command, outcome: .failure(failure)) } else { completion }
            })
            return
        }
        Completion.resume(completions)
    }
}
