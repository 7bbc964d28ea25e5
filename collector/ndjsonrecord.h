// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/metrickind.h"

#include <QByteArrayView>
#include <QStringList>

#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace perfdash {

// One native record from ingest.sock (docs/protocol.md, "ingest.sock — native records, version 1"), decoded and
// validated. Strings are UTF-8. Only the part named by `type` is filled in; the others keep stale values. The parser
// reuses one value for every line so that strings and vectors keep their capacity: copy what you keep. Optional
// numbers are NaN when absent, optional integers std::nullopt, optional strings empty.
struct NativeRecord {
    enum class Type : quint8 { Metric, Op, Run, Sample, Prediction, Quality, Baseline, ApiCall, Notification };
    static constexpr double absent = std::numeric_limits<double>::quiet_NaN();

    struct Tag {
        std::string key;
        std::string value; // may be empty: the tag is then just "key"
    };
    struct Step {
        std::string name;
        double start = 0; // Unix seconds
        double elapsedS = 0;
        bool success = true;
    };
    // What every work record (op, run, api_call, notification) says of itself: who did it and how it ended.
    struct Outcome {
        std::string opCode; // optional; as sent, else the `module` tag's value (may stay empty); not on runs
        std::string tenant; // optional: the package or tenant
        std::string guid; // optional, canonical 8-4-4-4-12 hex
        bool success = true;
        std::string error; // optional; cut at Limits::maxErrorChars code points, then NdjsonRecord::truncationMarker
        bool errorTruncated = false;
        std::string errorCategory; // optional
    };

    Type type = Type::Metric;
    qint64 timestampMs = 0; // the record's `ts` in ms when sent, else the arrival time
    bool hasTimestamp = false; // `ts` was sent
    std::vector<Tag> tags; // keys distinct, in the order sent

    struct Metric {
        std::string name;
        MetricKind kind = MetricKind::Gauge; // counter, gauge, timer or distribution
        double value = 0;
        std::string unit; // optional
        double rate = 1.0; // sample rate, (0, 1]
    } metric;

    struct Op : Outcome {
        std::string name; // operation name
        std::string target; // optional
        std::optional<qint64> items; // items processed
        double elapsedS = 0;
        double itemsPerS = absent; // as sent, else items / elapsedS when both are known and elapsedS > 0
        double memoryMb = absent;
        double fileSizeMb = absent;
        std::optional<qint64> cacheHits;
        std::optional<qint64> apiCalls;
    } op;

    struct Run : Outcome {
        std::string workflow;
        double start = 0; // Unix seconds
        double end = 0; // Unix seconds, >= start
        double executionS = 0; // as sent, else end - start
        std::vector<Step> steps;
        qint64 stepsFailed = 0; // as sent, else the steps whose success is false
        double memoryMb = absent;
        std::optional<qint64> retries;
        std::string executionMode; // optional
        std::string telemetry; // the `telemetry` array as sent (validated JSON), empty when absent
        qint64 telemetryCount = 0; // its samples
        std::optional<qint64> telemetryDropped;
    } run;

    struct ApiCall : Outcome {
        std::string endpoint;
        std::string method; // optional
        std::optional<qint64> status; // HTTP status code
        double requestKb = absent;
        double responseKb = absent;
        double elapsedS = 0;
        bool cacheHit = false;
    } apiCall;

    struct Notification : Outcome {
        std::string channel;
        std::optional<qint64> recipients;
        std::optional<qint64> delivered;
        std::optional<qint64> failed;
        std::optional<qint64> queueDepth;
        double elapsedS = 0;
    } notification;

    struct Sample {
        qint64 pid = 0;
        double cpuPercent = 0; // may pass 100 on several cores
        double rssMb = 0;
        double vmsMb = 0;
        qint64 threads = 0;
        double gpuPercent = absent;
        double gpuMemMb = absent;
    } sample;

    struct Prediction {
        std::string model;
        double score = absent; // 0..1
        std::string label; // optional
        double value = absent; // optional: a regression output
        std::string truthLabel; // the true label when `truth` was a string
        double truthValue = absent; // the true value when `truth` was a number
        std::string id; // optional
    } prediction;

    // `quality` (computed by the producer) and `baseline` (e.g. test-set accuracy at deploy time).
    struct Score {
        std::string model;
        std::string metric; // accuracy, f1, auc_roc, rmse, ...
        double value = 0;
        // Baselines only, all optional: test_set (default), expected, pinned or deploy; the spread and chunk count of
        // the window it was formed from, and that window (Unix seconds).
        std::string source;
        double spread = absent;
        double n = absent;
        double start = absent;
        double end = absent;
    } score;

    // The tags as "key:value" (or "key"), sorted bytewise and distinct, as SeriesKey wants them. Allocates: sink only.
    QStringList tagList() const;
    static const char *typeName(Type type);
};

// Parses one NDJSON line into a NativeRecord. Pure and reentrant; allocation-free once the record's buffers are warm.
class NdjsonRecord {
public:
    static constexpr int version = 1;

    // Reason codes are listed in docs/protocol.md. When a line has several faults, the first found gives the reason:
    // the line's length, then its JSON syntax left to right, then `type`, then the type's fields in document order.
    enum class Reason : quint8 {
        LineTooLong,
        InvalidUtf8,
        BadJson,
        TooDeep,
        NotAnObject,
        DuplicateKey,
        MissingField,
        BadFieldType,
        UnknownType,
        UnsupportedVersion,
        BadName,
        NameTooLong,
        BadValue,
        TimestampOutOfRange,
        BadTag,
        TagTooLong,
        TooManyTags,
        TooManySteps,
        TooManySamples,
        Count_
    };
    static const char *reasonCode(Reason reason);

    struct Limits {
        qsizetype maxLineBytes = 1024LL * 1024; // without the line end
        int maxDepth = 16; // nesting of objects and arrays, the record itself being 1
        qsizetype maxNameBytes = 200; // names: metric, op, workflow, step, model, metric name, unit, ...
        qsizetype maxTextBytes = 4096; // free text other than `error`: target, label, id, guid
        qsizetype maxTagBytes = 200; // "key:value"
        qsizetype maxTags = 64;
        qsizetype maxSteps = 1024;
        qsizetype maxSamples = 1024; // a run's telemetry
        qsizetype maxSampleMembers = 64; // members of one telemetry sample, its ts and timestamp included
        qsizetype maxTimestampBytes = 64; // a telemetry sample's ISO 8601 text
        qsizetype maxErrorChars = 5000; // code points kept of `error` before the marker
        qint64 maxFutureSeconds = 300;
    };

    // UTF-8 "…[truncated]": appended to an `error` that was cut.
    static constexpr const char truncationMarker[] = "\xE2\x80\xA6[truncated]";

    // Parses one line without its line end. nowMs is the arrival time: it stamps a record without `ts` and bounds
    // the future. Returns the reason the line was rejected, or nothing when `out` holds the record.
    static std::optional<Reason> parse(QByteArrayView line, NativeRecord &out, const Limits &limits, qint64 nowMs);
};

} // namespace perfdash
