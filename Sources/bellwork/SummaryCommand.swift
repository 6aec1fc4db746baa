import ArgumentParser
import Bellwork
import BellworkBatch
import BellworkQueue
import Foundation

struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "A batch's totals, and each folder's lessons in time order with bell-to-work latency and time-on-task.",
        discussion: """
        Reads the state a `bellwork batch` run keeps in DIR. Lessons are grouped by folder (a district's \
        uploads are usually filed by teacher or school) and listed by creation time (the file's modification \
        time when the recording has none), so a coach sees a teacher's trend over weeks. Failed lessons are \
        listed with their reason.

        Examples:
          bellwork summary /srv/bellwork
          bellwork summary /srv/bellwork --format csv > lessons.csv
          bellwork summary /srv/bellwork --format html > batch.html
          bellwork summary --queue postgresql://bellwork@db.example.org/bellwork --format csv
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json, html }

    @Argument(help: ArgumentHelp("The batch folder (`bellwork batch --out DIR`).", valueName: "DIR"))
    var directory: String?

    @Option(name: .customLong("queue"), help: ArgumentHelp("A PostgreSQL queue's lessons instead of a batch folder's (postgresql://… or a queue folder, as `worker --queue`).", valueName: "URL"))
    var queue: String?

    func validate() throws {
        if (directory == nil) == (queue == nil) { throw ValidationError("Give the batch folder DIR, or --queue URL (one of them).") }
        if let queue { try QueueOption.check(queue) }
    }

    @Option(help: "Output format: table, csv, json, or html (one self-contained page with small timelines).")
    var format: Format = .table

    func run() throws {
        try reportingFailures {
            let rows: [BatchLesson]
            let source: String
            if let queue {
                let store = try QueueOption.open(queue)
                source = store.location
                rows = try runQueueWork {
                    let rows = try await store.lessons()
                    await store.close()
                    return rows
                }
            } else {
                source = directory!
                rows = try Self.batchRows(directory!)
            }
            let report = BatchSummary.report(rows)
            switch format {
            case .table: print(BatchSummary.table(report), terminator: "")
            case .csv: print(BatchSummary.reportCSV(report), terminator: "")
            case .json: print(try JSONOutput.string(report))
            case .html: print(SummaryHTML.render(rows: rows, directory: source), terminator: "")
            }
        }
    }

    static func batchRows(_ directory: String) throws -> [BatchLesson] {
        do { return try BatchStore(directory: directory, create: false).all() } catch let damaged as BatchStoreDamaged {
            throw CLIFailure(message: damaged.description, status: ExitStatus.dataError)
        } catch {
            throw CLIFailure(message: "\(error)", status: ExitStatus.noInput)
        }
    }
}
