import Bellwork
import Foundation
import MediaIO
import LessonMetrics

/// One self-contained HTML page for a lesson (no network, no external files): the figures a coach asks
/// for, a timeline of the segments with the bell and the settle point, the motion and sound curves on the
/// same time axis, the segment table, and what was analysed. Readable without colour and printable.
public enum HTMLReport {
    /// Geometry of the timeline, shared with tests that check positions from the browser's side.
    public static let plotLeft = 60.0
    public static let plotWidth = 900.0

    public static func render(_ analysis: LessonAnalysis) -> String {
        let r = analysis.result
        let title = "Bellwork · " + URL(fileURLWithPath: r.input.path).lastPathComponent
        var body = ""
        body += "<header><h1>\(esc(URL(fileURLWithPath: r.input.path).lastPathComponent))</h1>"
        body += "<p class=\"sub\">\(TimeText.clock(r.durationSeconds)) lesson · analysed by Bellwork \(esc(r.tool.version))</p></header>\n"
        if !analysis.warnings.isEmpty {
            // What may make the figures wrong comes first, above the figures it affects.
            let status = r.status == "check" ? "<p class=\"status\"><strong>Check these figures:</strong></p>" : ""
            body += "<section class=\"warnings\" data-status=\"\(esc(r.status ?? "ok"))\">" + status + "<ul>"
                + analysis.warnings.map { "<li data-code=\"\(esc($0.code))\">\(esc($0.message))</li>" }.joined() + "</ul></section>\n"
        }
        body += figures(r)
        if !r.bellCandidates.isEmpty {
            body += "<p class=\"candidates\">Bell sounds heard, likeliest first (give one with <code>--bell m:ss</code> if the bell was another): "
                + r.bellCandidates.map { "<span data-time=\"\(number($0.timeSeconds))\">\(TimeText.clock($0.timeSeconds)) (\(String(format: "%.2f", $0.confidence))\($0.kind.map { ", " + esc($0) } ?? ""))</span>" }
                    .joined(separator: ", ") + "</p>\n"
        }
        body += "<section><h2>Timeline</h2>\n" + timeline(analysis)
            + legend(score: !analysis.segmentation.trace.scores.isEmpty && transitionThreshold(analysis.result) != nil) + "</section>\n"
        body += segmentTable(r, reasons: analysis.reasonMeasures.map { SegmentReasons.reasons(r.segments, $0) })
        body += analysed(analysis)
        return page(title: title, body: body,
                    footer: "Times are minutes:seconds from the start of the recording. Made by Bellwork \(esc(r.tool.version)); the page needs no network.")
    }

    /// The page around a body: head, shared style (plus `extraCSS`), footer. Self-contained, no script.
    public static func page(title: String, body: String, extraCSS: String = "", footer: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(esc(title))</title>
        <style>\(css)\(extraCSS)</style>
        </head>
        <body>
        \(body)
        <footer>\(footer)</footer>
        </body>
        </html>

        """
    }

    /// One figure: a label, the value as shown (its JSON number in `data-value` for tools and tests), a note.
    public static func card(_ label: String, _ metric: String, _ value: Double?, _ text: String, _ note: String) -> String {
        "<div class=\"card\"><div class=\"label\">\(label)</div><div class=\"value\" data-metric=\"\(metric)\" data-value=\"\(value.map(number) ?? "null")\">\(text)</div><div class=\"note\">\(note)</div></div>"
    }

    // MARK: Figures

    static func figures(_ r: AnalysisResult) -> String {
        let m = r.metrics
        var cards: [String] = []
        cards.append(card("Time on task", "timeOnTaskPercent", m.timeOnTaskPercent, String(format: "%.1f %%", m.timeOnTaskPercent),
             "\(TimeText.clock(m.onTaskSeconds)) of \(TimeText.clock(m.classSeconds)) in class"))
        cards.append(card("Bell to work", "bellToWorkSeconds", m.bellToWorkSeconds, m.bellToWorkSeconds.map(TimeText.clock) ?? "–",
             r.bell == nil ? (r.warnings.contains { $0.code == "no-bell-found" } ? "no bell found" : "no bell (as asked)")
                 : "until the class stayed on task for \(Int(r.settings.settleSeconds)) s"))
        cards.append(card("Transitions", "transitionCount", Double(m.transitionCount), "\(m.transitionCount)",
             "total <span data-metric=\"transitionSeconds\" data-value=\"\(number(m.transitionSeconds))\">\(TimeText.clock(m.transitionSeconds))</span>, longest <span data-metric=\"longestTransitionSeconds\" data-value=\"\(number(m.longestTransitionSeconds))\">\(TimeText.clock(m.longestTransitionSeconds))</span>"))
        cards.append(card("Class window", "classSeconds", m.classSeconds, TimeText.clock(m.classSeconds),
             "from \(r.bell == nil ? "the start" : "the bell at " + TimeText.clock(m.classStartSeconds)) to the end of the recording"))
        let lostMinutes = max(0, m.classSeconds - m.onTaskSeconds) / 60
        let yearHours = lostMinutes * 180 / 60
        let year = "\(TimeText.clock(lostMinutes * 60)) of class time in this lesson was not on task. If every school day went like this one, "
            + String(format: "that would come to about %.0f hours over a 180-day school year (an estimate, not a measurement).", yearHours)
        return "<section class=\"figures\">" + cards.joined() + "</section>\n<p class=\"year\" data-metric=\"yearHoursEstimate\" data-value=\"\(number(yearHours))\">\(year)</p>\n"
    }

    // MARK: Timeline

    static let kinds: [SegmentKind] = [.transition, .instruction, .independent, .group, .unknown]

    static func timeline(_ analysis: LessonAnalysis) -> String {
        let r = analysis.result
        let duration = max(r.durationSeconds, 0.01)
        let left = plotLeft, width = plotWidth
        func x(_ t: Double) -> Double { left + min(max(t, 0), duration) / duration * width }
        let bandTop = 40.0, bandHeight = 60.0
        let motionTop = 150.0, curveHeight = 70.0, audioTop = 250.0, scoreTop = 350.0
        // The transition score and its threshold, when known (analyze, or a result saved with --signals): why
        // each stretch was called a transition or not.
        let scores = analysis.segmentation.trace.scores
        let threshold = scores.isEmpty ? nil : transitionThreshold(r)
        let bottom = threshold == nil ? 330.0 : 420.0
        var svg = "<svg id=\"timeline\" role=\"img\" aria-label=\"Lesson timeline\" viewBox=\"0 0 1000 \(f(bottom + 20))\" xmlns=\"http://www.w3.org/2000/svg\" data-duration=\"\(number(duration))\" data-left=\"\(number(left))\" data-width=\"\(number(width))\">\n"
        svg += patterns()
        // Time axis ticks every whole minute (or every 5 for long lessons).
        let minutes = duration / 60
        let step = minutes > 40 ? 10.0 : minutes > 15 ? 5.0 : minutes > 4 ? 1.0 : 0.5
        var tick = 0.0
        while tick * 60 <= duration + 0.001 {
            let tx = x(tick * 60)
            svg += "<line class=\"grid\" x1=\"\(f(tx))\" y1=\"30\" x2=\"\(f(tx))\" y2=\"\(f(bottom))\"/><text class=\"tick\" x=\"\(f(tx))\" y=\"\(f(bottom + 15))\">\(TimeText.clock(tick * 60))</text>\n"
            tick += step
        }
        for s in r.segments where s.end > s.start {
            let x0 = x(s.start), x1 = x(s.end)
            svg += "<rect class=\"band \(s.kind.rawValue)\" data-kind=\"\(s.kind.rawValue)\" data-start=\"\(number(s.start))\" data-end=\"\(number(s.end))\" x=\"\(f(x0))\" y=\"\(bandTop)\" width=\"\(f(max(0.5, x1 - x0)))\" height=\"\(bandHeight)\" fill=\"url(#p-\(s.kind.rawValue))\"><title>\(s.kind.title) \(TimeText.clock(s.start))–\(TimeText.clock(s.end)) (\(TimeText.clock(s.duration)))</title></rect>\n"
            if x1 - x0 > 28 {
                svg += "<text class=\"bandlabel\" x=\"\(f((x0 + x1) / 2))\" y=\"\(bandTop + bandHeight / 2 + 4)\">\(shortLabel(s.kind))</text>\n"
            }
        }
        svg += "<text class=\"rowlabel\" x=\"\(f(left - 6))\" y=\"\(bandTop + bandHeight / 2 + 4)\">class</text>\n"
        if let bell = r.bell {
            let bx = x(bell.timeSeconds)
            svg += "<g id=\"bell-marker\" data-time=\"\(number(bell.timeSeconds))\"><line class=\"bell\" x1=\"\(f(bx))\" y1=\"22\" x2=\"\(f(bx))\" y2=\"\(bandTop + bandHeight + 8)\"/><path class=\"bell\" d=\"M \(f(bx - 6)) 14 L \(f(bx + 6)) 14 L \(f(bx)) 24 Z\"/><text class=\"marker\" x=\"\(f(bx))\" y=\"10\">bell \(TimeText.clock(bell.timeSeconds))</text></g>\n"
            if let latency = r.metrics.bellToWorkSeconds {
                let sx = x(bell.timeSeconds + latency)
                let y = bandTop + bandHeight + 18
                svg += "<g id=\"settle-marker\" data-time=\"\(number(bell.timeSeconds + latency))\"><line class=\"settle\" x1=\"\(f(sx))\" y1=\"\(bandTop - 6)\" x2=\"\(f(sx))\" y2=\"\(y + 4)\"/>"
                svg += "<line class=\"latency\" x1=\"\(f(bx))\" y1=\"\(y)\" x2=\"\(f(sx))\" y2=\"\(y)\"/><text class=\"marker\" x=\"\(f((bx + sx) / 2))\" y=\"\(y + 14)\">bell to work \(TimeText.clock(latency))</text></g>\n"
            }
        }
        let features = analysis.features
        let stepSeconds = features.stepSeconds
        svg += curve(id: "motion-curve", values: features.motion.map { Optional($0) }, step: stepSeconds, top: motionTop, height: curveHeight,
                     floor: 0, ceiling: max(1e-6, percentile(features.motion, 0.99)), x: x)
        svg += "<text class=\"rowlabel\" x=\"\(f(left - 6))\" y=\"\(motionTop + curveHeight / 2)\">motion</text>\n"
        svg += curve(id: "audio-curve", values: features.audioDb, step: stepSeconds, top: audioTop, height: curveHeight,
                     floor: -70, ceiling: 0, x: x)
        svg += "<text class=\"rowlabel\" x=\"\(f(left - 6))\" y=\"\(audioTop + curveHeight / 2)\">sound</text>\n"
        svg += "<text class=\"axis\" x=\"\(f(left + width + 4))\" y=\"\(audioTop + 8)\">0 dB</text><text class=\"axis\" x=\"\(f(left + width + 4))\" y=\"\(audioTop + curveHeight)\">−70 dB</text>\n"
        if let threshold {
            let (low, high) = (min(-2, threshold - 2), max(6, threshold + 2))
            svg += curve(id: "score-curve", values: scores, step: stepSeconds, top: scoreTop, height: curveHeight,
                         floor: low, ceiling: high, x: x)
            let ty = scoreTop + curveHeight - (threshold - low) / (high - low) * curveHeight
            svg += "<line id=\"score-threshold\" class=\"threshold\" data-threshold=\"\(number(threshold))\" x1=\"\(f(left))\" y1=\"\(f(ty))\" x2=\"\(f(left + width))\" y2=\"\(f(ty))\"><title>above this line a step is more likely a transition</title></line>\n"
            svg += "<text class=\"rowlabel\" x=\"\(f(left - 6))\" y=\"\(scoreTop + curveHeight / 2)\">score<title>transition score (robust standard deviations)</title></text>\n"
            svg += "<text class=\"axis\" x=\"\(f(left + width + 4))\" y=\"\(f(ty + 4))\">\(String(format: "%.2f", threshold))</text>\n"
        }
        svg += "</svg>\n"
        return svg
    }

    /// The segmenter's transition threshold the result was made with (its signals, else its settings).
    static func transitionThreshold(_ r: AnalysisResult) -> Double? {
        if let t = r.signals?.transitionThreshold { return t }
        if case .object(let segmenter)? = r.settings.other["segmenter"], case .number(let t)? = segmenter["transitionThreshold"] {
            return t
        }
        return nil
    }

    static func curve(id: String, values: [Double?], step: Double, top: Double, height: Double, floor: Double, ceiling: Double,
                      x: (Double) -> Double) -> String {
        guard !values.isEmpty else { return "" }
        // At most about one point per horizontal pixel: the largest value of each bucket.
        let buckets = min(values.count, 900)
        var points: [String] = []
        for b in 0..<buckets {
            let lo = b * values.count / buckets, hi = max(lo + 1, (b + 1) * values.count / buckets)
            guard let v = values[lo..<hi].compactMap({ $0 }).max() else { continue }
            let t = (Double(lo + hi) / 2) * step
            let y = top + height - (min(max(v, floor), ceiling) - floor) / (ceiling - floor) * height
            points.append("\(f(x(t))),\(f(y))")
        }
        return "<rect class=\"curvebox\" x=\"\(f(plotLeft))\" y=\"\(top)\" width=\"\(f(plotWidth))\" height=\"\(height)\"/><polyline id=\"\(id)\" class=\"curve\" points=\"\(points.joined(separator: " "))\"/>\n"
    }

    public static func patterns() -> String {
        """
        <defs>
        <pattern id="p-transition" width="10" height="10" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="10" height="10" fill="#e4572e"/><line x1="0" y1="0" x2="0" y2="10" stroke="#fff" stroke-width="4"/></pattern>
        <pattern id="p-instruction" width="10" height="10" patternUnits="userSpaceOnUse"><rect width="10" height="10" fill="#2e86ab"/></pattern>
        <pattern id="p-independent" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="#5aa469"/><circle cx="4" cy="4" r="1.6" fill="#fff"/></pattern>
        <pattern id="p-group" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="#8e6bbf"/><path d="M0 4 H8 M4 0 V8" stroke="#fff" stroke-width="1.2"/></pattern>
        <pattern id="p-unknown" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#b8b8b8"/><path d="M0 6 L6 0" stroke="#fff" stroke-width="1"/></pattern>
        </defs>

        """
    }

    public static func legend(score: Bool = false) -> String {
        var html = "<ul class=\"legend\">"
        for k in kinds {
            html += "<li><svg width=\"28\" height=\"16\" aria-hidden=\"true\"><use href=\"#p-\(k.rawValue)\"/><rect width=\"28\" height=\"16\" fill=\"url(#p-\(k.rawValue))\"/></svg> \(shortLabel(k)) = \(k.title)\(k.isOnTask ? " (on task)" : "")</li>"
        }
        html += "<li><span class=\"swatch bell\"></span> bell</li><li><span class=\"swatch settle\"></span> class settled</li>"
        if score {
            html += "<li><span class=\"swatch threshold\"></span> score: how much the picture and sound look like a transition; above the red line a step is more likely one</li>"
        }
        html += "</ul>\n"
        return html
    }

    static func shortLabel(_ k: SegmentKind) -> String {
        switch k {
        case .transition: return "T"
        case .instruction: return "I"
        case .independent: return "W"
        case .group: return "G"
        case .unknown: return "?"
        }
    }

    // MARK: Tables

    /// The segments, each with a short reason in words when the measures it comes from are known.
    static func segmentTable(_ r: AnalysisResult, reasons: [String]? = nil) -> String {
        let why = reasons.flatMap { $0.count == r.segments.count ? $0 : nil }
        var html = "<section><h2>Segments</h2><table id=\"segments\"><thead><tr><th>start</th><th>length</th><th>kind</th><th>confidence</th>"
            + (why == nil ? "" : "<th>why</th>") + "</tr></thead><tbody>\n"
        for (i, s) in r.segments.enumerated() {
            html += "<tr data-start=\"\(number(s.start))\" data-end=\"\(number(s.end))\" data-kind=\"\(s.kind.rawValue)\"><td>\(TimeText.clock(s.start))</td><td>\(TimeText.clock(s.duration))</td><td>\(esc(s.kind.title))</td><td>\(String(format: "%.2f", s.confidence ?? 0))</td>"
                + (why.map { "<td class=\"why\">\(esc($0[i]))</td>" } ?? "") + "</tr>\n"
        }
        return html + "</tbody></table></section>\n"
    }

    static func analysed(_ analysis: LessonAnalysis) -> String {
        let r = analysis.result
        let i = r.input
        var rows: [(String, String)] = [("file", i.path), ("size", "\(i.sizeBytes) bytes"), ("container", i.container),
                                        ("length", "\(TimeText.clock(r.durationSeconds)) (\(number(r.durationSeconds)) s)"),
                                        ("recorded", i.creationTime ?? "unknown")]
        if let v = i.video {
            rows.append(("video", "\(v.codec) \(v.width)×\(v.height), \(String(format: "%.2f", v.framesPerSecond)) frames/s\(v.rotationDegrees != 0 ? ", rotated \(v.rotationDegrees)°" : "")"))
        } else { rows.append(("video", "none")) }
        if let a = i.audio { rows.append(("audio", "\(a.codec) \(a.sampleRate) Hz, \(a.channels) channel\(a.channels == 1 ? "" : "s")")) } else { rows.append(("audio", "none")) }
        if let b = r.bell {
            rows.append(("bell", "\(TimeText.clock(b.timeSeconds)), \(b.source?.rawValue ?? "given")\(b.confidence.map { String(format: ", confidence %.2f", $0) } ?? "")"))
        }
        rows.append(("tool", "bellwork \(r.tool.version)"))
        var html = "<section><h2>What was analysed</h2>"
        html += "<table class=\"facts\">" + rows.map { "<tr><th>\($0.0)</th><td>\(esc($0.1))</td></tr>" }.joined() + "</table>"
        let settings = r.settings.values.sorted { $0.key < $1.key }.map { key, value -> String in
            let text: String
            switch value {
            case .number(let n): text = number(n)
            case .bool(let b): text = b ? "true" : "false"
            case .string(let s): text = s
            case .null: text = "none"
            default: text = "…"
            }
            return "<tr><th>\(esc(key))</th><td>\(esc(text))</td></tr>"
        }
        html += "<details><summary>Settings</summary><table class=\"facts\">\(settings.joined())</table></details></section>\n"
        return html
    }

    // MARK: Helpers

    /// Text for HTML and XML (the EAF document too): markup characters as entities, and control characters,
    /// which XML does not allow, and raw name bytes shown as `FileName.display` shows them.
    public static func esc(_ s: String) -> String {
        FileName.display(s).replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    public static func f(_ x: Double) -> String { String(format: "%.2f", x) }

    /// A JSON-style number: as the result writes it.
    public static func number(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(format: "%.2f", x).replacingOccurrences(of: #"0+$"#, with: "", options: .regularExpression)
    }

    static func percentile(_ values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * q))]
    }

    static let css = """
    :root { --ink: #1d2430; --muted: #5b6472; --line: #d9dde3; }
    body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--ink); max-width: 1040px; margin: 24px auto; padding: 0 16px; }
    h1 { font-size: 22px; margin: 0; } h2 { font-size: 17px; margin: 28px 0 8px; } .sub, .note, footer { color: var(--muted); }
    .figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; margin-top: 16px; }
    .card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
    .card .label { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
    .card .value { font-size: 30px; font-weight: 650; } .card .note { font-size: 13px; }
    .year { background: #f4f6f8; border-radius: 8px; padding: 10px 14px; }
    svg#timeline { width: 100%; height: auto; border: 1px solid var(--line); border-radius: 8px; background: #fff; }
    .band { stroke: #fff; stroke-width: 1; } .bandlabel { font: 700 14px sans-serif; fill: #fff; text-anchor: middle; paint-order: stroke; stroke: rgba(0,0,0,.55); stroke-width: 3px; }
    .grid { stroke: #eef0f3; } .tick, .axis { font: 11px sans-serif; fill: var(--muted); } .tick { text-anchor: middle; }
    .rowlabel { font: 12px sans-serif; fill: var(--muted); text-anchor: end; }
    line.bell, path.bell { stroke: #111; stroke-width: 2.5; fill: #111; } .marker { font: 600 12px sans-serif; text-anchor: middle; fill: #111; }
    line.settle { stroke: #111; stroke-width: 2; stroke-dasharray: 4 3; } line.latency { stroke: #111; stroke-width: 2; }
    .curvebox { fill: #fafbfc; stroke: var(--line); } .curve { fill: none; stroke: #33415c; stroke-width: 1.3; } .threshold { stroke: #b42318; stroke-width: 1; stroke-dasharray: 5 3; }
    .legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 6px 18px; font-size: 13px; }
    .legend svg { vertical-align: middle; border: 1px solid #999; }
    .swatch { display: inline-block; width: 14px; height: 3px; vertical-align: middle; background: #111; } .swatch.settle { background: repeating-linear-gradient(90deg, #111 0 4px, transparent 4px 7px); } .swatch.threshold { background: repeating-linear-gradient(90deg, #b42318 0 5px, transparent 5px 8px); }
    table { border-collapse: collapse; width: 100%; font-size: 14px; } th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); }
    table.facts th { width: 220px; color: var(--muted); font-weight: 500; }
    .warnings { background: #fff6e0; border: 1px solid #f0d28a; border-radius: 8px; padding: 8px 28px; }
    footer { margin-top: 32px; font-size: 12px; }
    @media print { body { margin: 0; max-width: none; font-size: 12px; } .card { break-inside: avoid; } details { display: block; } details > summary { display: none; } section { break-inside: avoid-page; } svg#timeline { border: none; } }
    """
}
