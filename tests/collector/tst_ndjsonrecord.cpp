// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/ndjsonrecord.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

#include <charconv>
#include <cmath>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

// Declared first and defined below: moc cannot tokenize raw strings that hold quotes.
class TestNdjsonRecord : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void verdicts_data();
    void verdicts();
    void oracleAgreesOnAccepted_data();
    void oracleAgreesOnAccepted();
    void metricFields();
    void opFields();
    void opCodeFromModuleTag_data();
    void opCodeFromModuleTag();
    void runFields();
    void runWorkflowFields();
    void runTelemetry_data();
    void runTelemetry();
    void apiCallFields();
    void notificationFields();
    void sampleFields();
    void predictionFields();
    void qualityAndBaselineFields();
    void escapes_data();
    void escapes();
    void numbers_data();
    void numbers();
    void numbersMatchFromChars();
    void timestampWithInjectedClock();
    void errorTruncation_data();
    void errorTruncation();
    void errorTruncationCountsEscapedCharacters();
    void lineTooLong();
    void tagsSortedForSeriesKeys();
    void reasonCodesAreDistinct();
    void mutationsAgreeWithOracle();
};

namespace {

constexpr qint64 kNowMs = 1657100600000; // 2022-07-06T09:43:20Z, the injected clock

// The example line of every type, as docs/protocol.md shows it.
const char *const kMetric
    = R"({"type":"metric","name":"api.latency","kind":"timer","value":12.5,"unit":"ms","tags":{"model":"m1"}})";
const char *const kOp
    = R"({"type":"op","ts":1657100590.25,"guid":"6f1c3b2a-9d4e-4f5a-8b7c-0d1e2f3a4b5c","op_code":"IMP01","tenant":"billing","name":"import","target":"orders.csv","items":1200,"elapsed_s":2.5,"memory_mb":84.2,"file_size_mb":3.1,"cache_hits":17,"api_calls":4,"success":false,"error":"timeout after 3 retries","error_category":"network"})";
const char *const kRun
    = R"({"type":"run","workflow":"nightly-train","start":1657100000.0,"end":1657100300.5,"success":true,"steps":[{"name":"load","start":1657100000.0,"elapsed_s":20.5},{"name":"fit","start":1657100020.5,"elapsed_s":280}]})";
const char *const kSample
    = R"({"type":"sample","pid":4242,"cpu_percent":153.2,"rss_mb":812.5,"vms_mb":4096,"threads":18,"gpu_percent":71,"gpu_mem_mb":5120})";
const char *const kPrediction
    = R"({"type":"prediction","model":"fraud-v3","id":"tx-991","score":0.87,"label":"fraud","truth":"legit"})";
const char *const kQuality = R"({"type":"quality","model":"fraud-v3","metric":"f1","value":0.91})";
const char *const kBaseline
    = R"({"type":"baseline","model":"fraud-v3","metric":"accuracy","value":0.953,"tags":{"dataset":"test-2022-06"}})";

const char *const kRunFull
    = R"({"type":"run","guid":"0b4d6a8e-3f1c-4c2a-9e5b-7d8f9a0b1c2d","workflow":"nightly-train","tenant":"ml","start":1657100000.0,"end":1657100300.5,"success":false,"steps_failed":1,"memory_mb":2048.5,"retries":2,"execution_mode":"sequential","error":"fit: out of memory","error_category":"resource","steps":[{"name":"load","start":1657100000.0,"elapsed_s":20.5},{"name":"fit","start":1657100020.5,"elapsed_s":280,"success":false}],"telemetry":[{"timestamp":"2022-07-06T10:33:20+01:00","ts":1657100000.0,"rss_mb":812.5,"threads":18},{"timestamp":"2022-07-06T10:34:20+01:00","ts":1657100060.0,"rss_mb":1630.0,"threads":18}],"telemetry_dropped":0})";
const char *const kApiCall
    = R"({"type":"api_call","guid":"5a7c1e2f-8b3d-4e6a-9c0b-1d2e3f4a5b6c","op_code":"PAY01","tenant":"billing","method":"POST","endpoint":"/v1/charge","status":502,"request_kb":1.5,"response_kb":0.2,"elapsed_s":0.84,"cache_hit":false,"success":false,"error":"bad gateway","error_category":"network"})";
const char *const kNotification
    = R"({"type":"notification","guid":"9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b","op_code":"NTF01","channel":"email","recipients":120,"delivered":118,"failed":2,"queue_depth":35,"elapsed_s":1.4,"success":true})";

std::optional<NdjsonRecord::Reason> parse(
    const QByteArray &line, NativeRecord &out, const NdjsonRecord::Limits &limits = {})
{
    return NdjsonRecord::parse(line, out, limits, kNowMs);
}

QString codeOf(const std::optional<NdjsonRecord::Reason> &reason)
{
    return reason ? QString::fromLatin1(NdjsonRecord::reasonCode(*reason)) : u"ok"_s;
}

QString str(const std::string &s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

QByteArray withString(const QByteArray &jsonString)
{
    return R"({"type":"quality","model":"m","metric":"f1","value":1,"tags":{"k":)" + jsonString + "}}";
}

} // namespace

void TestNdjsonRecord::verdicts_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("expected"); // "ok" or the reason code

    // One valid example per type.
    QTest::newRow("ok.metric") << QByteArray(kMetric) << u"ok"_s;
    QTest::newRow("ok.op") << QByteArray(kOp) << u"ok"_s;
    QTest::newRow("ok.run") << QByteArray(kRun) << u"ok"_s;
    QTest::newRow("ok.sample") << QByteArray(kSample) << u"ok"_s;
    QTest::newRow("ok.prediction") << QByteArray(kPrediction) << u"ok"_s;
    QTest::newRow("ok.quality") << QByteArray(kQuality) << u"ok"_s;
    QTest::newRow("ok.baseline") << QByteArray(kBaseline) << u"ok"_s;
    QTest::newRow("ok.run-full") << QByteArray(kRunFull) << u"ok"_s;
    QTest::newRow("ok.api_call") << QByteArray(kApiCall) << u"ok"_s;
    QTest::newRow("ok.notification") << QByteArray(kNotification) << u"ok"_s;
    QTest::newRow("ok.api_call-minimal") << QByteArray(
        R"({"type":"api_call","endpoint":"/x","elapsed_s":0,"success":true})")
                                         << u"ok"_s;
    QTest::newRow("ok.notification-minimal")
        << QByteArray(R"({"type":"notification","channel":"sms","elapsed_s":0,"success":true})") << u"ok"_s;
    QTest::newRow("missing_field.api_call-endpoint")
        << QByteArray(R"({"type":"api_call","elapsed_s":0,"success":true})") << u"missing_field"_s;
    QTest::newRow("missing_field.api_call-success")
        << QByteArray(R"({"type":"api_call","endpoint":"/x","elapsed_s":0})") << u"missing_field"_s;
    QTest::newRow("missing_field.notification-channel")
        << QByteArray(R"({"type":"notification","elapsed_s":0,"success":true})") << u"missing_field"_s;
    QTest::newRow("bad_value.api_call-status")
        << QByteArray(R"({"type":"api_call","endpoint":"/x","status":1000,"elapsed_s":0,"success":true})")
        << u"bad_value"_s;
    QTest::newRow("bad_value.api_call-guid")
        << QByteArray(R"({"type":"api_call","endpoint":"/x","elapsed_s":0,"success":true,"guid":"nope"})")
        << u"bad_value"_s;
    QTest::newRow("bad_name.api_call-endpoint")
        << QByteArray(R"({"type":"api_call","endpoint":"/a,b","elapsed_s":0,"success":true})") << u"bad_name"_s;
    QTest::newRow("bad_field_type.api_call-cache_hit")
        << QByteArray(R"({"type":"api_call","endpoint":"/x","elapsed_s":0,"cache_hit":1,"success":true})")
        << u"bad_field_type"_s;
    QTest::newRow("bad_value.notification-failed")
        << QByteArray(R"({"type":"notification","channel":"sms","failed":-1,"elapsed_s":0,"success":true})")
        << u"bad_value"_s;
    QTest::newRow("bad_value.run-retries")
        << QByteArray(R"({"type":"run","workflow":"w","start":1,"end":2,"success":true,"retries":1.5})")
        << u"bad_value"_s;
    QTest::newRow("bad_field_type.step-success") << QByteArray(
        R"({"type":"run","workflow":"w","start":1,"end":2,"success":true,"steps":[{"name":"a","start":1,"elapsed_s":1,"success":"no"}]})")
                                                 << u"bad_field_type"_s;
    QTest::newRow("duplicate_key.step-success") << QByteArray(
        R"({"type":"run","workflow":"w","start":1,"end":2,"success":true,"steps":[{"name":"a","start":1,"elapsed_s":1,"success":true,"success":false}]})")
                                                << u"duplicate_key"_s;
    // Minimal forms and tolerated extras.
    QTest::newRow("ok.op-minimal") << QByteArray(R"({"type":"op","name":"x","elapsed_s":0,"success":true})") << u"ok"_s;
    QTest::newRow("ok.run-no-steps") << QByteArray(R"({"type":"run","workflow":"w","start":1,"end":2,"success":false})")
                                     << u"ok"_s;
    QTest::newRow("ok.prediction-regression")
        << QByteArray(R"({"type":"prediction","model":"m","value":-3.5,"truth":-3})") << u"ok"_s;
    QTest::newRow("ok.prediction-label-only")
        << QByteArray(R"({"type":"prediction","model":"m","label":"cat"})") << u"ok"_s;
    QTest::newRow("ok.whitespace") << QByteArray(
        " \t{ \"type\" : \"quality\" ,\"model\":\"m\",\r\n\"metric\":\"f1\", \"value\":1 } ")
                                   << u"ok"_s;
    QTest::newRow("ok.unknown-fields-ignored")
        << QByteArray(R"({"x":[1,{"y":null},[]],"type":"quality","model":"m","metric":"f1","value":1,"z":{}})")
        << u"ok"_s;
    QTest::newRow("ok.unknown-duplicates-ignored")
        << QByteArray(R"({"x":1,"x":2,"type":"quality","model":"m","metric":"f1","value":1})") << u"ok"_s;
    QTest::newRow("ok.null-optional") << QByteArray(
        R"({"type":"sample","pid":1,"cpu_percent":0,"rss_mb":1,"vms_mb":1,"threads":1,"gpu_percent":null})")
                                      << u"ok"_s;
    QTest::newRow("ok.version-1") << QByteArray(R"({"v":1,"type":"quality","model":"m","metric":"f1","value":1})")
                                  << u"ok"_s;
    QTest::newRow("ok.integer-as-float") << QByteArray(
        R"({"type":"sample","pid":1e3,"cpu_percent":0,"rss_mb":1,"vms_mb":1,"threads":2.0})")
                                         << u"ok"_s;
    QTest::newRow("ok.escaped-key") << QByteArray(R"({"typ\u0065":"quality","model":"m","metric":"f1","value":1})")
                                    << u"ok"_s;
    QTest::newRow("ok.empty-tag-value") << withString(R"("")") << u"ok"_s;
    QTest::newRow("ok.counter-negative") << QByteArray(R"({"type":"metric","name":"n","kind":"counter","value":-2})")
                                         << u"ok"_s;

    // bad_json
    QTest::newRow("bad_json.empty") << QByteArray("") << u"bad_json"_s;
    QTest::newRow("bad_json.spaces") << QByteArray("   ") << u"bad_json"_s;
    QTest::newRow("bad_json.unclosed") << QByteArray(R"({"type":"quality")") << u"bad_json"_s;
    QTest::newRow("bad_json.trailing-comma")
        << QByteArray(R"({"type":"quality","model":"m","metric":"f1","value":1,})") << u"bad_json"_s;
    QTest::newRow("bad_json.trailing-garbage")
        << QByteArray(R"({"type":"quality","model":"m","metric":"f1","value":1}x)") << u"bad_json"_s;
    QTest::newRow("bad_json.two-objects") << QByteArray(R"({"type":"quality"}{})") << u"bad_json"_s;
    QTest::newRow("bad_json.single-quotes") << QByteArray(R"({'type':'quality'})") << u"bad_json"_s;
    QTest::newRow("bad_json.bare-key") << QByteArray(R"({type:"quality"})") << u"bad_json"_s;
    QTest::newRow("bad_json.no-colon") << QByteArray(R"({"type" "quality"})") << u"bad_json"_s;
    QTest::newRow("bad_json.leading-zero") << withString("01") << u"bad_json"_s;
    QTest::newRow("bad_json.plus") << QByteArray(R"({"type":"quality","value":+1})") << u"bad_json"_s;
    QTest::newRow("bad_json.dot-first") << QByteArray(R"({"type":"quality","value":.5})") << u"bad_json"_s;
    QTest::newRow("bad_json.dot-last") << QByteArray(R"({"type":"quality","value":1.})") << u"bad_json"_s;
    QTest::newRow("bad_json.exp-empty") << QByteArray(R"({"type":"quality","value":1e})") << u"bad_json"_s;
    QTest::newRow("bad_json.nan") << QByteArray(R"({"type":"quality","value":NaN})") << u"bad_json"_s;
    QTest::newRow("bad_json.infinity") << QByteArray(R"({"type":"quality","value":Infinity})") << u"bad_json"_s;
    QTest::newRow("bad_json.hex") << QByteArray(R"({"type":"quality","value":0x10})") << u"bad_json"_s;
    QTest::newRow("bad_json.minus-only") << QByteArray(R"({"type":"quality","value":-})") << u"bad_json"_s;
    QTest::newRow("bad_json.truu") << QByteArray(R"({"type":"run","success":tru})") << u"bad_json"_s;
    QTest::newRow("bad_json.TRUE") << QByteArray(R"({"type":"run","success":TRUE})") << u"bad_json"_s;
    QTest::newRow("bad_json.raw-tab-in-string") << withString("\"a\tb\"") << u"bad_json"_s;
    QTest::newRow("bad_json.raw-newline-in-string") << withString("\"a\nb\"") << u"bad_json"_s;
    QTest::newRow("bad_json.bad-escape") << withString(R"("\x41")") << u"bad_json"_s;
    QTest::newRow("bad_json.short-u") << withString(R"("\u12")") << u"bad_json"_s;
    QTest::newRow("bad_json.bad-hex") << withString(R"("\u12G4")") << u"bad_json"_s;
    QTest::newRow("bad_json.unterminated-string") << QByteArray(R"({"type":"qual)") << u"bad_json"_s;
    QTest::newRow("bad_json.comment") << QByteArray(R"({"type":"quality"/*c*/})") << u"bad_json"_s;
    QTest::newRow("bad_json.nul-outside") << QByteArray("{\"type\":\"quality\"\0}", 19) << u"bad_json"_s;
    QTest::newRow("bad_json.missing-value") << QByteArray(R"({"type":})") << u"bad_json"_s;
    QTest::newRow("bad_json.array-unclosed") << QByteArray(R"({"x":[1,2})") << u"bad_json"_s;
    QTest::newRow("bad_json.bom") << QByteArray("\xEF\xBB\xBF{}") << u"bad_json"_s;

    // invalid_utf8
    QTest::newRow("invalid_utf8.lone-continuation") << withString("\"a\x80\"") << u"invalid_utf8"_s;
    QTest::newRow("invalid_utf8.overlong") << withString("\"\xC0\xAF\"") << u"invalid_utf8"_s;
    QTest::newRow("invalid_utf8.overlong-3") << withString("\"\xE0\x80\xAF\"") << u"invalid_utf8"_s;
    QTest::newRow("invalid_utf8.surrogate-raw") << withString("\"\xED\xA0\x80\"") << u"invalid_utf8"_s;
    QTest::newRow("invalid_utf8.above-10ffff") << withString("\"\xF4\x90\x80\x80\"") << u"invalid_utf8"_s;
    QTest::newRow("invalid_utf8.truncated") << withString("\"\xE2\x82\"") << u"invalid_utf8"_s;
    QTest::newRow("invalid_utf8.ff") << withString("\"\xFF\"") << u"invalid_utf8"_s;
    QTest::newRow("invalid_utf8.lone-high-escape") << withString(R"("\ud83d")") << u"invalid_utf8"_s;
    QTest::newRow("invalid_utf8.lone-low-escape") << withString(R"("\ude00")") << u"invalid_utf8"_s;
    QTest::newRow("invalid_utf8.high-then-bmp") << withString(R"("\ud83d\u0041")") << u"invalid_utf8"_s;
    QTest::newRow("invalid_utf8.high-high") << withString(R"("\ud83d\ud83d")") << u"invalid_utf8"_s;
    QTest::newRow("invalid_utf8.in-unknown-field")
        << QByteArray("{\"zz\":\"\xC3\",\"type\":\"quality\"}") << u"invalid_utf8"_s;

    // too_deep: the record is level 1; the limit is 16.
    QTest::newRow("too_deep.17") << QByteArray("{\"x\":" + QByteArray(16, '[') + QByteArray(16, ']') + "}")
                                 << u"too_deep"_s;
    QTest::newRow("ok.depth-16") << QByteArray(R"({"type":"quality","model":"m","metric":"f1","value":1,"x":)"
        + QByteArray(15, '[') + QByteArray(15, ']') + "}")
                                 << u"ok"_s;
    QTest::newRow("too_deep.huge") << QByteArray(100000, '[') << u"too_deep"_s;

    // not_an_object
    QTest::newRow("not_an_object.array") << QByteArray("[1,2]") << u"not_an_object"_s;
    QTest::newRow("not_an_object.string") << QByteArray(R"("metric")") << u"not_an_object"_s;
    QTest::newRow("not_an_object.number") << QByteArray("42") << u"not_an_object"_s;
    QTest::newRow("not_an_object.null") << QByteArray("null") << u"not_an_object"_s;
    QTest::newRow("bad_json.array-garbage") << QByteArray("[1,2] x") << u"bad_json"_s;

    // duplicate_key: a known field twice, whatever the values; a tag key twice.
    QTest::newRow("duplicate_key.type") << QByteArray(
        R"({"type":"quality","type":"quality","model":"m","metric":"f1","value":1})")
                                        << u"duplicate_key"_s;
    QTest::newRow("duplicate_key.escaped")
        << QByteArray(R"({"type":"quality","model":"m","metric":"f1","value":1,"v\u0061lue":2})") << u"duplicate_key"_s;
    QTest::newRow("duplicate_key.tag") << QByteArray(
        R"({"type":"quality","model":"m","metric":"f1","value":1,"tags":{"a":"1","a":"2"}})")
                                       << u"duplicate_key"_s;
    QTest::newRow("duplicate_key.step") << QByteArray(
        R"({"type":"run","workflow":"w","start":1,"end":2,"success":true,"steps":[{"name":"a","name":"b","start":1,"elapsed_s":1}]})")
                                        << u"duplicate_key"_s;

    // missing_field
    QTest::newRow("missing_field.type") << QByteArray(R"({"model":"m"})") << u"missing_field"_s;
    QTest::newRow("missing_field.type-null") << QByteArray(R"({"type":null})") << u"missing_field"_s;
    QTest::newRow("missing_field.empty-object") << QByteArray("{}") << u"missing_field"_s;
    QTest::newRow("missing_field.metric-value")
        << QByteArray(R"({"type":"metric","name":"n","kind":"gauge"})") << u"missing_field"_s;
    QTest::newRow("missing_field.metric-kind")
        << QByteArray(R"({"type":"metric","name":"n","value":1})") << u"missing_field"_s;
    QTest::newRow("missing_field.op-success")
        << QByteArray(R"({"type":"op","name":"x","elapsed_s":1})") << u"missing_field"_s;
    QTest::newRow("missing_field.op-elapsed")
        << QByteArray(R"({"type":"op","name":"x","success":true})") << u"missing_field"_s;
    QTest::newRow("missing_field.run-end")
        << QByteArray(R"({"type":"run","workflow":"w","start":1,"success":true})") << u"missing_field"_s;
    QTest::newRow("missing_field.step-elapsed") << QByteArray(
        R"({"type":"run","workflow":"w","start":1,"end":2,"success":true,"steps":[{"name":"a","start":1}]})")
                                                << u"missing_field"_s;
    QTest::newRow("missing_field.sample-threads")
        << QByteArray(R"({"type":"sample","pid":1,"cpu_percent":0,"rss_mb":1,"vms_mb":1})") << u"missing_field"_s;
    QTest::newRow("missing_field.prediction-no-output")
        << QByteArray(R"({"type":"prediction","model":"m","truth":1})") << u"missing_field"_s;
    QTest::newRow("missing_field.quality-metric")
        << QByteArray(R"({"type":"quality","model":"m","value":1})") << u"missing_field"_s;
    QTest::newRow("missing_field.baseline-model")
        << QByteArray(R"({"type":"baseline","metric":"f1","value":1})") << u"missing_field"_s;
    QTest::newRow("missing_field.required-null")
        << QByteArray(R"({"type":"quality","model":"m","metric":"f1","value":null})") << u"missing_field"_s;

    // bad_field_type
    QTest::newRow("bad_field_type.type-number") << QByteArray(R"({"type":1})") << u"bad_field_type"_s;
    QTest::newRow("bad_field_type.value-string")
        << QByteArray(R"({"type":"quality","model":"m","metric":"f1","value":"1"})") << u"bad_field_type"_s;
    QTest::newRow("bad_field_type.success-number")
        << QByteArray(R"({"type":"op","name":"x","elapsed_s":1,"success":1})") << u"bad_field_type"_s;
    QTest::newRow("bad_field_type.model-number")
        << QByteArray(R"({"type":"quality","model":7,"metric":"f1","value":1})") << u"bad_field_type"_s;
    QTest::newRow("bad_field_type.tags-array")
        << QByteArray(R"({"type":"quality","model":"m","metric":"f1","value":1,"tags":["a"]})") << u"bad_field_type"_s;
    QTest::newRow("bad_field_type.tag-number") << withString("1") << u"bad_field_type"_s;
    QTest::newRow("bad_field_type.tag-null") << withString("null") << u"bad_field_type"_s;
    QTest::newRow("bad_field_type.steps-object")
        << QByteArray(R"({"type":"run","workflow":"w","start":1,"end":2,"success":true,"steps":{}})")
        << u"bad_field_type"_s;
    QTest::newRow("bad_field_type.step-not-object")
        << QByteArray(R"({"type":"run","workflow":"w","start":1,"end":2,"success":true,"steps":[1]})")
        << u"bad_field_type"_s;
    QTest::newRow("bad_field_type.truth-bool")
        << QByteArray(R"({"type":"prediction","model":"m","score":0.5,"truth":true})") << u"bad_field_type"_s;
    QTest::newRow("bad_field_type.ts-string")
        << QByteArray(R"({"type":"quality","model":"m","metric":"f1","value":1,"ts":"1657100600"})")
        << u"bad_field_type"_s;

    // unknown_type and unsupported_version
    QTest::newRow("unknown_type.event") << QByteArray(R"({"type":"event"})") << u"unknown_type"_s;
    QTest::newRow("unknown_type.case") << QByteArray(R"({"type":"Metric"})") << u"unknown_type"_s;
    QTest::newRow("unknown_type.empty") << QByteArray(R"({"type":""})") << u"unknown_type"_s;
    QTest::newRow("unsupported_version.2")
        << QByteArray(R"({"v":2,"type":"quality","model":"m","metric":"f1","value":1})") << u"unsupported_version"_s;
    QTest::newRow("bad_value.version-fraction")
        << QByteArray(R"({"v":1.5,"type":"quality","model":"m","metric":"f1","value":1})") << u"bad_value"_s;

    // bad_name and name_too_long
    QTest::newRow("bad_name.empty") << QByteArray(R"({"type":"quality","model":"","metric":"f1","value":1})")
                                    << u"bad_name"_s;
    QTest::newRow("bad_name.pipe") << QByteArray(R"({"type":"quality","model":"a|b","metric":"f1","value":1})")
                                   << u"bad_name"_s;
    QTest::newRow("bad_name.comma") << QByteArray(R"({"type":"metric","name":"a,b","kind":"gauge","value":1})")
                                    << u"bad_name"_s;
    QTest::newRow("bad_name.newline-escape")
        << QByteArray(R"({"type":"metric","name":"a\nb","kind":"gauge","value":1})") << u"bad_name"_s;
    QTest::newRow("bad_name.step") << QByteArray(
        R"({"type":"run","workflow":"w","start":1,"end":2,"success":true,"steps":[{"name":"","start":1,"elapsed_s":1}]})")
                                   << u"bad_name"_s;
    QTest::newRow("name_too_long.201") << QByteArray(
        R"({"type":"metric","name":")" + QByteArray(201, 'n') + R"(","kind":"gauge","value":1})")
                                       << u"name_too_long"_s;
    QTest::newRow("ok.name-200") << QByteArray(
        R"({"type":"metric","name":")" + QByteArray(200, 'n') + R"(","kind":"gauge","value":1})")
                                 << u"ok"_s;

    // bad_value
    QTest::newRow("bad_value.kind") << QByteArray(R"({"type":"metric","name":"n","kind":"set","value":1})")
                                    << u"bad_value"_s;
    QTest::newRow("bad_value.negative-timer")
        << QByteArray(R"({"type":"metric","name":"n","kind":"timer","value":-1})") << u"bad_value"_s;
    QTest::newRow("bad_value.rate-zero") << QByteArray(
        R"({"type":"metric","name":"n","kind":"counter","value":1,"rate":0})")
                                         << u"bad_value"_s;
    QTest::newRow("bad_value.rate-above-1")
        << QByteArray(R"({"type":"metric","name":"n","kind":"counter","value":1,"rate":1.5})") << u"bad_value"_s;
    QTest::newRow("bad_value.overflow") << QByteArray(R"({"type":"quality","model":"m","metric":"f1","value":1e309})")
                                        << u"bad_value"_s;
    QTest::newRow("bad_value.underflow") << QByteArray(R"({"type":"quality","model":"m","metric":"f1","value":1e-400})")
                                         << u"bad_value"_s;
    QTest::newRow("ok.subnormal") << QByteArray(R"({"type":"quality","model":"m","metric":"f1","value":5e-324})")
                                  << u"ok"_s;
    QTest::newRow("bad_value.negative-elapsed")
        << QByteArray(R"({"type":"op","name":"x","elapsed_s":-0.1,"success":true})") << u"bad_value"_s;
    QTest::newRow("bad_value.items-fraction")
        << QByteArray(R"({"type":"op","name":"x","items":1.5,"elapsed_s":1,"success":true})") << u"bad_value"_s;
    QTest::newRow("bad_value.items-negative")
        << QByteArray(R"({"type":"op","name":"x","items":-1,"elapsed_s":1,"success":true})") << u"bad_value"_s;
    QTest::newRow("bad_value.items-huge")
        << QByteArray(R"({"type":"op","name":"x","items":1e19,"elapsed_s":1,"success":true})") << u"bad_value"_s;
    QTest::newRow("bad_value.guid") << QByteArray(
        R"({"type":"op","name":"x","guid":"not-a-guid","elapsed_s":1,"success":true})")
                                    << u"bad_value"_s;
    QTest::newRow("bad_value.run-end-before-start")
        << QByteArray(R"({"type":"run","workflow":"w","start":2,"end":1,"success":true})") << u"bad_value"_s;
    QTest::newRow("bad_value.pid-zero") << QByteArray(
        R"({"type":"sample","pid":0,"cpu_percent":0,"rss_mb":1,"vms_mb":1,"threads":1})")
                                        << u"bad_value"_s;
    QTest::newRow("bad_value.gpu-over-100") << QByteArray(
        R"({"type":"sample","pid":1,"cpu_percent":0,"rss_mb":1,"vms_mb":1,"threads":1,"gpu_percent":100.5})")
                                            << u"bad_value"_s;
    QTest::newRow("bad_value.score-above-1")
        << QByteArray(R"({"type":"prediction","model":"m","score":1.01})") << u"bad_value"_s;
    QTest::newRow("bad_value.score-negative")
        << QByteArray(R"({"type":"prediction","model":"m","score":-0.01})") << u"bad_value"_s;
    QTest::newRow("bad_value.label-too-long")
        << QByteArray(R"({"type":"prediction","model":"m","label":")" + QByteArray(201, 'x') + "\"}") << u"bad_value"_s;
    QTest::newRow("bad_value.target-too-long") << QByteArray(
        R"({"type":"op","name":"x","target":")" + QByteArray(4097, 't') + R"(","elapsed_s":1,"success":true})")
                                               << u"bad_value"_s;

    // timestamp_out_of_range (NOW = 1657100600)
    QTest::newRow("ok.ts-now+300") << QByteArray(
        R"({"type":"quality","model":"m","metric":"f1","value":1,"ts":1657100900})")
                                   << u"ok"_s;
    QTest::newRow("timestamp_out_of_range.now+300.001")
        << QByteArray(R"({"type":"quality","model":"m","metric":"f1","value":1,"ts":1657100900.001})")
        << u"timestamp_out_of_range"_s;
    QTest::newRow("timestamp_out_of_range.zero")
        << QByteArray(R"({"type":"quality","model":"m","metric":"f1","value":1,"ts":0})")
        << u"timestamp_out_of_range"_s;
    QTest::newRow("timestamp_out_of_range.negative")
        << QByteArray(R"({"type":"quality","model":"m","metric":"f1","value":1,"ts":-5})")
        << u"timestamp_out_of_range"_s;
    QTest::newRow("timestamp_out_of_range.ms-by-mistake")
        << QByteArray(R"({"type":"quality","model":"m","metric":"f1","value":1,"ts":1657100600000})")
        << u"timestamp_out_of_range"_s;
    QTest::newRow("timestamp_out_of_range.run-end")
        << QByteArray(R"({"type":"run","workflow":"w","start":1,"end":1657101000,"success":true})")
        << u"timestamp_out_of_range"_s;
    QTest::newRow("ok.ts-old") << QByteArray(R"({"type":"quality","model":"m","metric":"f1","value":1,"ts":1})")
                               << u"ok"_s;

    // bad_tag, tag_too_long, too_many_tags, too_many_steps
    QTest::newRow("bad_tag.empty-key") << QByteArray(
        R"({"type":"quality","model":"m","metric":"f1","value":1,"tags":{"":"v"}})")
                                       << u"bad_tag"_s;
    QTest::newRow("bad_tag.colon-in-key")
        << QByteArray(R"({"type":"quality","model":"m","metric":"f1","value":1,"tags":{"a:b":"v"}})") << u"bad_tag"_s;
    QTest::newRow("bad_tag.comma-in-value") << withString(R"("a,b")") << u"bad_tag"_s;
    QTest::newRow("bad_tag.pipe-in-value") << withString(R"("a|b")") << u"bad_tag"_s;
    QTest::newRow("ok.colon-in-value") << withString(R"("a:b")") << u"ok"_s;
    QTest::newRow("tag_too_long.201") << withString('"' + QByteArray(199, 'v') + '"') << u"tag_too_long"_s;
    QTest::newRow("ok.tag-200") << withString('"' + QByteArray(198, 'v') + '"') << u"ok"_s;
    {
        QByteArray tags;
        for (int i = 0; i < 65; ++i)
            tags += (i ? "," : "") + ("\"k" + QByteArray::number(i) + "\":\"v\"");
        QTest::newRow("too_many_tags.65")
            << QByteArray(R"({"type":"quality","model":"m","metric":"f1","value":1,"tags":{)" + tags + "}}")
            << u"too_many_tags"_s;
    }
    {
        QByteArray steps;
        for (int i = 0; i < 1025; ++i)
            steps += (i ? "," : "") + QByteArray(R"({"name":"s","start":1,"elapsed_s":0})");
        QTest::newRow("too_many_steps.1025")
            << QByteArray(R"({"type":"run","workflow":"w","start":1,"end":2,"success":true,"steps":[)" + steps + "]}")
            << u"too_many_steps"_s;
    }

    // First fault wins: syntax before semantics, left to right.
    QTest::newRow("order.syntax-after-unknown-type") << QByteArray(R"({"type":"nope","x":})") << u"bad_json"_s;
    QTest::newRow("order.utf8-before-duplicate")
        << QByteArray("{\"type\":\"\xC3\",\"type\":\"x\"}") << u"invalid_utf8"_s;
    QTest::newRow("order.type-before-fields") << QByteArray(R"({"type":"nope","model":7})") << u"unknown_type"_s;
}

void TestNdjsonRecord::verdicts()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, expected);
    NativeRecord record;
    QCOMPARE(codeOf(parse(line, record)), expected);
}

// Whatever we accept, Qt's JSON parser reads as an object too, with the same strings.
void TestNdjsonRecord::oracleAgreesOnAccepted_data()
{
    verdicts_data();
}

void TestNdjsonRecord::oracleAgreesOnAccepted()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, expected);
    NativeRecord record;
    if (parse(line, record))
        return;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QVERIFY(doc.isObject());
    QCOMPARE(doc.object().value(u"type"_s).toString(), QString::fromLatin1(NativeRecord::typeName(record.type)));
}

void TestNdjsonRecord::metricFields()
{
    NativeRecord r;
    QVERIFY(!parse(kMetric, r));
    QCOMPARE(r.type, NativeRecord::Type::Metric);
    QCOMPARE(str(r.metric.name), u"api.latency"_s);
    QCOMPARE(r.metric.kind, MetricKind::Timer);
    QCOMPARE(r.metric.value, 12.5);
    QCOMPARE(str(r.metric.unit), u"ms"_s);
    QCOMPARE(r.metric.rate, 1.0);
    QCOMPARE(r.tags.size(), size_t(1));
    QCOMPARE(str(r.tags[0].key), u"model"_s);
    QCOMPARE(str(r.tags[0].value), u"m1"_s);
    QCOMPARE(r.tagList(), QStringList { u"model:m1"_s });
    QVERIFY(!r.hasTimestamp);
    QCOMPARE(r.timestampMs, kNowMs);
}

void TestNdjsonRecord::opFields()
{
    NativeRecord r;
    QVERIFY(!parse(kOp, r));
    QCOMPARE(r.type, NativeRecord::Type::Op);
    const auto &o = r.op;
    QCOMPARE(str(o.name), u"import"_s);
    QCOMPARE(str(o.opCode), u"IMP01"_s);
    QCOMPARE(str(o.tenant), u"billing"_s);
    QCOMPARE(str(o.guid), u"6f1c3b2a-9d4e-4f5a-8b7c-0d1e2f3a4b5c"_s);
    QCOMPARE(str(o.target), u"orders.csv"_s);
    QCOMPARE(o.items, std::optional<qint64>(1200));
    QCOMPARE(o.elapsedS, 2.5);
    QCOMPARE(o.itemsPerS, 480.0); // derived: items / elapsed_s
    QCOMPARE(o.memoryMb, 84.2);
    QCOMPARE(o.fileSizeMb, 3.1);
    QCOMPARE(o.cacheHits, std::optional<qint64>(17));
    QCOMPARE(o.apiCalls, std::optional<qint64>(4));
    QCOMPARE(o.success, false);
    QCOMPARE(str(o.error), u"timeout after 3 retries"_s);
    QVERIFY(!o.errorTruncated);
    QCOMPARE(str(o.errorCategory), u"network"_s);
    QVERIFY(r.hasTimestamp);
    QCOMPARE(r.timestampMs, qint64(1657100590250));

    // Optional fields come back absent on a reused record.
    QVERIFY(!parse(R"({"type":"op","name":"y","elapsed_s":0,"success":true,"items_per_s":7})", r));
    QVERIFY(!r.op.items);
    QCOMPARE(r.op.itemsPerS, 7.0);
    QVERIFY(std::isnan(r.op.memoryMb));
    QVERIFY(!r.op.cacheHits);
    QVERIFY(r.op.error.empty());
    QVERIFY(r.op.guid.empty());
    QVERIFY(r.tags.empty());
    QVERIFY(!r.hasTimestamp);
}

// op_code as sent, else the `module` tag's value (docs/protocol.md), so rows from producers that only tag their
// module still tell modules apart in the operations table.
void TestNdjsonRecord::opCodeFromModuleTag_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("opCode");
    QTest::newRow("module tag only") << QByteArray(
        R"({"type":"op","name":"import","elapsed_s":1,"success":true,"tags":{"module":"importer"}})")
                                     << u"importer"_s;
    QTest::newRow("op_code wins") << QByteArray(
        R"({"type":"op","name":"import","op_code":"IMP01","elapsed_s":1,"success":true,"tags":{"module":"importer"}})")
                                  << u"IMP01"_s;
    QTest::newRow("other tags") << QByteArray(
        R"({"type":"op","name":"import","elapsed_s":1,"success":true,"tags":{"model":"m1","module":"a:b c"}})")
                                << u"a:b c"_s;
    QTest::newRow("empty module tag") << QByteArray(
        R"({"type":"op","name":"import","elapsed_s":1,"success":true,"tags":{"module":""}})")
                                      << QString();
    QTest::newRow("no module tag") << QByteArray(
        R"({"type":"op","name":"import","elapsed_s":1,"success":true,"tags":{"model":"m1"}})")
                                   << QString();
    QTest::newRow("neither") << QByteArray(R"({"type":"op","name":"import","elapsed_s":1,"success":true})")
                             << QString();
}

void TestNdjsonRecord::opCodeFromModuleTag()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, opCode);
    NativeRecord r;
    // A reused record first: one line's module never leaks into the next.
    QVERIFY(!parse(R"({"type":"op","name":"x","elapsed_s":0,"success":true,"tags":{"module":"stale"}})", r));
    QCOMPARE(str(r.op.opCode), u"stale"_s);
    QVERIFY(!parse(line, r));
    QCOMPARE(str(r.op.opCode), opCode);
}

void TestNdjsonRecord::runFields()
{
    NativeRecord r;
    QVERIFY(!parse(kRun, r));
    QCOMPARE(r.type, NativeRecord::Type::Run);
    QCOMPARE(str(r.run.workflow), u"nightly-train"_s);
    QCOMPARE(r.run.start, 1657100000.0);
    QCOMPARE(r.run.end, 1657100300.5);
    QCOMPARE(r.run.executionS, 300.5); // derived: end - start
    QVERIFY(r.run.success);
    QCOMPARE(r.run.steps.size(), size_t(2));
    QCOMPARE(str(r.run.steps[1].name), u"fit"_s);
    QCOMPARE(r.run.steps[1].start, 1657100020.5);
    QCOMPARE(r.run.steps[1].elapsedS, 280.0);
    QVERIFY(!parse(R"({"type":"run","workflow":"w","start":1,"end":2,"execution_s":0.5,"success":false})", r));
    QCOMPARE(r.run.executionS, 0.5);
    QVERIFY(r.run.steps.empty());
}

void TestNdjsonRecord::runWorkflowFields()
{
    NativeRecord r;
    QVERIFY(!parse(kRunFull, r));
    QCOMPARE(str(r.run.guid), u"0b4d6a8e-3f1c-4c2a-9e5b-7d8f9a0b1c2d"_s);
    QCOMPARE(str(r.run.tenant), u"ml"_s);
    QVERIFY(r.run.opCode.empty());
    QVERIFY(!r.run.success);
    QCOMPARE(r.run.stepsFailed, qint64(1));
    QCOMPARE(r.run.memoryMb, 2048.5);
    QCOMPARE(r.run.retries, std::optional<qint64>(2));
    QCOMPARE(str(r.run.executionMode), u"sequential"_s);
    QCOMPARE(str(r.run.error), u"fit: out of memory"_s);
    QCOMPARE(str(r.run.errorCategory), u"resource"_s);
    QVERIFY(r.run.steps[0].success);
    QVERIFY(!r.run.steps[1].success);
    QCOMPARE(r.run.telemetryCount, qint64(2));
    QCOMPARE(r.run.telemetryDropped, std::optional<qint64>(0));
    // The array as sent, which Qt's parser reads back.
    const QJsonDocument telemetry = QJsonDocument::fromJson(QByteArray::fromStdString(r.run.telemetry));
    QVERIFY(telemetry.isArray());
    QCOMPARE(telemetry.array().size(), 2);
    QCOMPARE(telemetry.array()[1].toObject().value(u"rss_mb"_s).toDouble(), 1630.0);
    // The same record object, reused: fields of the last line never leak into the next.
    QVERIFY(!parse(
        R"({"type":"run","workflow":"w","start":1,"end":2,"success":true,"steps":[{"name":"a","start":1,"elapsed_s":1,"success":false},{"name":"b","start":1,"elapsed_s":1,"success":false}]})",
        r));
    QCOMPARE(r.run.stepsFailed, qint64(2)); // counted from the steps when not sent
    QVERIFY(r.run.guid.empty());
    QVERIFY(r.run.tenant.empty());
    QVERIFY(std::isnan(r.run.memoryMb));
    QVERIFY(!r.run.retries);
    QVERIFY(r.run.executionMode.empty());
    QVERIFY(r.run.error.empty());
    QVERIFY(r.run.telemetry.empty());
    QCOMPARE(r.run.telemetryCount, qint64(0));
    QVERIFY(!r.run.telemetryDropped);
}

void TestNdjsonRecord::runTelemetry_data()
{
    QTest::addColumn<QByteArray>("telemetry");
    QTest::addColumn<QString>("expected");
    QTest::newRow("empty list") << QByteArray("[]") << u"ok"_s;
    QTest::newRow("ts only") << QByteArray(R"([{"ts":1}])") << u"ok"_s;
    QTest::newRow("every value kind") << QByteArray(R"([{"ts":1,"a":1.5,"b":"x","c":true,"d":null,"e":false}])")
                                      << u"ok"_s;
    QTest::newRow("escaped ts key") << QByteArray(R"([{"t\u0073":1}])") << u"ok"_s;
    QTest::newRow("escaped ts key, twice") << QByteArray(R"([{"t\u0073":1,"ts":2}])") << u"duplicate_key"_s;
    QTest::newRow("no ts") << QByteArray(R"([{"timestamp":"2022-07-06T10:33:20+01:00"}])") << u"missing_field"_s;
    QTest::newRow("null ts") << QByteArray(R"([{"ts":null}])") << u"missing_field"_s;
    QTest::newRow("ts text") << QByteArray(R"([{"ts":"1"}])") << u"bad_field_type"_s;
    QTest::newRow("ts zero") << QByteArray(R"([{"ts":0}])") << u"timestamp_out_of_range"_s;
    QTest::newRow("ts future") << QByteArray(R"([{"ts":1657101000}])") << u"timestamp_out_of_range"_s;
    QTest::newRow("two ts") << QByteArray(R"([{"ts":1,"ts":2}])") << u"duplicate_key"_s;
    QTest::newRow("timestamp number") << QByteArray(R"([{"ts":1,"timestamp":5}])") << u"bad_field_type"_s;
    QTest::newRow("timestamp too long") << "[{\"ts\":1,\"timestamp\":\"" + QByteArray(65, '1') + "\"}]"
                                        << u"bad_value"_s;
    QTest::newRow("nested object") << QByteArray(R"([{"ts":1,"mem":{"rss":1}}])") << u"bad_field_type"_s;
    QTest::newRow("number out of range") << QByteArray(R"([{"ts":1,"big":1e999}])") << u"bad_value"_s;
    QTest::newRow("large number") << QByteArray(R"([{"ts":1,"big":1e300,"small":-5e-324}])") << u"ok"_s;
    QTest::newRow("nested array") << QByteArray(R"([{"ts":1,"cpus":[1,2]}])") << u"bad_field_type"_s;
    QTest::newRow("not an object") << QByteArray(R"([1])") << u"bad_field_type"_s;
    QTest::newRow("not an array") << QByteArray(R"({"ts":1})") << u"bad_field_type"_s;
    QTest::newRow("text of 200 bytes") << "[{\"ts\":1,\"s\":\"" + QByteArray(200, 'x') + "\"}]" << u"ok"_s;
    QTest::newRow("text of 201 bytes") << "[{\"ts\":1,\"s\":\"" + QByteArray(201, 'x') + "\"}]" << u"bad_value"_s;
    // 200 characters, each written as a 6-byte escape: the span is long, the text is not.
    QByteArray escaped;
    for (int i = 0; i < 200; ++i)
        escaped += "\\u0041";
    QTest::newRow("escaped text of 200 bytes") << "[{\"ts\":1,\"s\":\"" + escaped + "\"}]" << u"ok"_s;
    QByteArray members = R"([{"ts":1)";
    for (int i = 0; i < 63; ++i)
        members += ",\"m" + QByteArray::number(i) + "\":1";
    QTest::newRow("64 members") << members + "}]" << u"ok"_s;
    QTest::newRow("65 members") << members + ",\"one_more\":1}]" << u"bad_value"_s;
    QByteArray samples = "[";
    for (int i = 0; i < 1024; ++i)
        samples += QByteArray(i ? "," : "") + R"({"ts":1})";
    QTest::newRow("1024 samples") << samples + "]" << u"ok"_s;
    QTest::newRow("1025 samples") << samples + R"(,{"ts":1}])" << u"too_many_samples"_s;
}

void TestNdjsonRecord::runTelemetry()
{
    QFETCH(QByteArray, telemetry);
    QFETCH(QString, expected);
    const QByteArray line
        = R"({"type":"run","workflow":"w","start":1,"end":2,"success":true,"telemetry":)" + telemetry + "}";
    NativeRecord r;
    QCOMPARE(codeOf(parse(line, r)), expected);
    if (expected == u"ok"_s)
        QCOMPARE(QByteArray::fromStdString(r.run.telemetry), telemetry);
}

void TestNdjsonRecord::apiCallFields()
{
    NativeRecord r;
    QVERIFY(!parse(kApiCall, r));
    QCOMPARE(r.type, NativeRecord::Type::ApiCall);
    const NativeRecord::ApiCall &a = r.apiCall;
    QCOMPARE(str(a.guid), u"5a7c1e2f-8b3d-4e6a-9c0b-1d2e3f4a5b6c"_s);
    QCOMPARE(str(a.opCode), u"PAY01"_s);
    QCOMPARE(str(a.tenant), u"billing"_s);
    QCOMPARE(str(a.method), u"POST"_s);
    QCOMPARE(str(a.endpoint), u"/v1/charge"_s);
    QCOMPARE(a.status, std::optional<qint64>(502));
    QCOMPARE(a.requestKb, 1.5);
    QCOMPARE(a.responseKb, 0.2);
    QCOMPARE(a.elapsedS, 0.84);
    QVERIFY(!a.cacheHit);
    QVERIFY(!a.success);
    QCOMPARE(str(a.error), u"bad gateway"_s);
    QCOMPARE(str(a.errorCategory), u"network"_s);
    QVERIFY(!parse(
        R"({"type":"api_call","endpoint":"/x","elapsed_s":0,"cache_hit":true,"success":true,"tags":{"module":"pay"}})",
        r));
    QCOMPARE(str(r.apiCall.opCode), u"pay"_s); // the module tag, as for op
    QVERIFY(r.apiCall.cacheHit);
    QVERIFY(!r.apiCall.status);
    QVERIFY(std::isnan(r.apiCall.requestKb));
    QVERIFY(r.apiCall.method.empty());
    QVERIFY(r.apiCall.guid.empty());
}

void TestNdjsonRecord::notificationFields()
{
    NativeRecord r;
    QVERIFY(!parse(kNotification, r));
    QCOMPARE(r.type, NativeRecord::Type::Notification);
    const NativeRecord::Notification &n = r.notification;
    QCOMPARE(str(n.channel), u"email"_s);
    QCOMPARE(str(n.opCode), u"NTF01"_s);
    QCOMPARE(n.recipients, std::optional<qint64>(120));
    QCOMPARE(n.delivered, std::optional<qint64>(118));
    QCOMPARE(n.failed, std::optional<qint64>(2));
    QCOMPARE(n.queueDepth, std::optional<qint64>(35));
    QCOMPARE(n.elapsedS, 1.4);
    QVERIFY(n.success);
    QVERIFY(!parse(R"({"type":"notification","channel":"sms","elapsed_s":0,"success":false,"error":"x"})", r));
    QVERIFY(!r.notification.recipients && !r.notification.delivered && !r.notification.failed);
    QVERIFY(!r.notification.queueDepth);
    QVERIFY(r.notification.opCode.empty());
    QVERIFY(!r.notification.success);
    QCOMPARE(str(r.notification.error), u"x"_s);
}

void TestNdjsonRecord::sampleFields()
{
    NativeRecord r;
    QVERIFY(!parse(kSample, r));
    QCOMPARE(r.sample.pid, qint64(4242));
    QCOMPARE(r.sample.cpuPercent, 153.2);
    QCOMPARE(r.sample.rssMb, 812.5);
    QCOMPARE(r.sample.vmsMb, 4096.0);
    QCOMPARE(r.sample.threads, qint64(18));
    QCOMPARE(r.sample.gpuPercent, 71.0);
    QCOMPARE(r.sample.gpuMemMb, 5120.0);
    QVERIFY(!parse(R"({"type":"sample","pid":1,"cpu_percent":0,"rss_mb":1,"vms_mb":1,"threads":1})", r));
    QVERIFY(std::isnan(r.sample.gpuPercent));
    QVERIFY(std::isnan(r.sample.gpuMemMb));
}

void TestNdjsonRecord::predictionFields()
{
    NativeRecord r;
    QVERIFY(!parse(kPrediction, r));
    QCOMPARE(str(r.prediction.model), u"fraud-v3"_s);
    QCOMPARE(r.prediction.score, 0.87);
    QCOMPARE(str(r.prediction.label), u"fraud"_s);
    QCOMPARE(str(r.prediction.truthLabel), u"legit"_s);
    QVERIFY(std::isnan(r.prediction.truthValue));
    QCOMPARE(str(r.prediction.id), u"tx-991"_s);
    QVERIFY(!parse(R"({"type":"prediction","model":"m","value":2.5,"truth":3})", r));
    QVERIFY(std::isnan(r.prediction.score));
    QCOMPARE(r.prediction.value, 2.5);
    QCOMPARE(r.prediction.truthValue, 3.0);
    QVERIFY(r.prediction.truthLabel.empty());
    QVERIFY(r.prediction.label.empty());
}

void TestNdjsonRecord::qualityAndBaselineFields()
{
    NativeRecord r;
    QVERIFY(!parse(kQuality, r));
    QCOMPARE(r.type, NativeRecord::Type::Quality);
    QCOMPARE(str(r.score.model), u"fraud-v3"_s);
    QCOMPARE(str(r.score.metric), u"f1"_s);
    QCOMPARE(r.score.value, 0.91);
    QVERIFY(!parse(kBaseline, r));
    QCOMPARE(r.type, NativeRecord::Type::Baseline);
    QCOMPARE(str(r.score.metric), u"accuracy"_s);
    QCOMPARE(r.score.value, 0.953);
    QCOMPARE(r.tagList(), QStringList { u"dataset:test-2022-06"_s });
}

void TestNdjsonRecord::escapes_data()
{
    QTest::addColumn<QByteArray>("json"); // a JSON string literal, quotes included
    QTest::addColumn<QString>("expected");
    QTest::newRow("plain") << QByteArray(R"("abc")") << u"abc"_s;
    QTest::newRow("quote") << QByteArray(R"("a\"b")") << u"a\"b"_s;
    QTest::newRow("backslash") << QByteArray(R"("a\\b")") << u"a\\b"_s;
    QTest::newRow("solidus") << QByteArray(R"("a\/b")") << u"a/b"_s;
    QTest::newRow("controls") << QByteArray(R"("\b\f\n\r\t")") << u"\b\f\n\r\t"_s;
    QTest::newRow("u-ascii") << QByteArray(R"("\u0041\u0062")") << u"Ab"_s;
    QTest::newRow("u-nul") << QByteArray(R"("a\u0000b")") << QString(u"a\0b"_s);
    QTest::newRow("u-2byte") << QByteArray(R"("\u00e9")") << u"é"_s;
    QTest::newRow("u-3byte-upper") << QByteArray(R"("\u20AC")") << u"€"_s;
    QTest::newRow("u-ffff") << QByteArray(R"("\uffff")") << QString(QChar(0xFFFF));
    QTest::newRow("surrogate-pair") << QByteArray(R"("\ud83d\ude00")") << u"😀"_s;
    QTest::newRow("surrogate-max") << QByteArray(R"("\uDBFF\uDFFF")") << QString::fromUcs4(U"\U0010FFFF", 1);
    QTest::newRow("raw-utf8") << QByteArray("\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"") << u"é€😀"_s;
    QTest::newRow("mixed") << QByteArray(R"("x\u00e9y\n😀z")") << u"xéy\n😀z"_s;
    QTest::newRow("empty") << QByteArray(R"("")") << QString();
    QTest::newRow("escape-at-end") << QByteArray(R"("abc\\")") << u"abc\\"_s;
}

// Escapes decode as Qt's own parser decodes them (checked here) and as written (the expected column).
void TestNdjsonRecord::escapes()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);
    const QByteArray line = R"({"type":"op","name":"x","elapsed_s":1,"success":false,"error":)" + json + "}";
    NativeRecord r;
    QCOMPARE(codeOf(parse(line, r)), u"ok"_s);
    QCOMPARE(str(r.op.error), expected);
    QCOMPARE(str(r.op.error), QJsonDocument::fromJson(line).object().value(u"error"_s).toString());
}

void TestNdjsonRecord::numbers_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<double>("expected");
    QTest::newRow("zero") << QByteArray("0") << 0.0;
    QTest::newRow("minus-zero") << QByteArray("-0") << 0.0;
    QTest::newRow("int") << QByteArray("123456789") << 123456789.0;
    QTest::newRow("negative") << QByteArray("-42.5") << -42.5;
    QTest::newRow("fraction") << QByteArray("0.1") << 0.1;
    QTest::newRow("exp") << QByteArray("1e3") << 1000.0;
    QTest::newRow("exp-upper-plus") << QByteArray("2.5E+2") << 250.0;
    QTest::newRow("exp-minus") << QByteArray("5e-3") << 0.005;
    QTest::newRow("max") << QByteArray("1.7976931348623157e308") << 1.7976931348623157e308;
    QTest::newRow("min-normal") << QByteArray("2.2250738585072014e-308") << 2.2250738585072014e-308;
    QTest::newRow("long-mantissa") << QByteArray("0.30000000000000004440892098500626161694526672363281")
                                   << 0.30000000000000004;
    QTest::newRow("big-int") << QByteArray("9007199254740993") << 9007199254740992.0;
    QTest::newRow("leading-zero-exp") << QByteArray("1e007") << 1e7;
}

void TestNdjsonRecord::numbers()
{
    QFETCH(QByteArray, json);
    QFETCH(double, expected);
    NativeRecord r;
    QCOMPARE(codeOf(parse(R"({"type":"quality","model":"m","metric":"x","value":)" + json + "}", r)), u"ok"_s);
    QCOMPARE(r.score.value, expected);
}

// The parser's fast path for short decimals must round exactly as std::from_chars does.
void TestNdjsonRecord::numbersMatchFromChars()
{
    QRandomGenerator rng(7);
    NativeRecord r;
    for (int i = 0; i < 100000; ++i) {
        const int digits = 1 + rng.bounded(18);
        QByteArray text = rng.bounded(2) ? "-" : "";
        QByteArray mantissa;
        for (int d = 0; d < digits; ++d)
            mantissa += char('0' + rng.bounded(10));
        while (mantissa.size() > 1 && mantissa.startsWith('0'))
            mantissa.remove(0, 1);
        const int point = rng.bounded(int(mantissa.size()) + 1);
        if (point > 0 && point < mantissa.size())
            mantissa.insert(point, '.');
        else if (point == 0 && rng.bounded(2))
            mantissa = "0." + QByteArray(rng.bounded(6), '0') + mantissa;
        text += mantissa;
        double expected = 0;
        std::from_chars(text.constData(), text.constData() + text.size(), expected);
        const auto reason = parse(R"({"type":"quality","model":"m","metric":"x","value":)" + text + "}", r);
        QVERIFY2(!reason, text.constData());
        QVERIFY2(r.score.value == expected && std::signbit(r.score.value) == std::signbit(expected), text.constData());
    }
}

void TestNdjsonRecord::timestampWithInjectedClock()
{
    const QByteArray line = R"({"type":"quality","model":"m","metric":"f1","value":1,"ts":2000000000.5})";
    NativeRecord r;
    QCOMPARE(codeOf(NdjsonRecord::parse(line, r, {}, 2000000000500 - 300000)), u"ok"_s);
    QCOMPARE(r.timestampMs, qint64(2000000000500));
    QVERIFY(r.hasTimestamp);
    QCOMPARE(codeOf(NdjsonRecord::parse(line, r, {}, 2000000000500 - 300001)), u"timestamp_out_of_range"_s);
    NdjsonRecord::Limits strict;
    strict.maxFutureSeconds = 0;
    QCOMPARE(codeOf(NdjsonRecord::parse(line, r, strict, 2000000000499)), u"timestamp_out_of_range"_s);
    QCOMPARE(codeOf(NdjsonRecord::parse(line, r, strict, 2000000000500)), u"ok"_s);
    // Without ts, the arrival time.
    QVERIFY(!NdjsonRecord::parse(kQuality, r, {}, 1234567));
    QVERIFY(!r.hasTimestamp);
    QCOMPARE(r.timestampMs, qint64(1234567));
}

void TestNdjsonRecord::errorTruncation_data()
{
    QTest::addColumn<int>("chars");
    QTest::addColumn<QString>("unit"); // one code point, repeated
    QTest::addColumn<bool>("truncated");
    QTest::newRow("ascii-4999") << 4999 << u"e"_s << false;
    QTest::newRow("ascii-5000") << 5000 << u"e"_s << false;
    QTest::newRow("ascii-5001") << 5001 << u"e"_s << true;
    QTest::newRow("ascii-100k") << 100000 << u"e"_s << true;
    QTest::newRow("two-byte-5000") << 5000 << u"é"_s << false; // 10000 bytes, 5000 characters
    QTest::newRow("two-byte-5001") << 5001 << u"é"_s << true;
    QTest::newRow("four-byte-6000") << 6000 << u"😀"_s << true; // never cut inside a sequence
}

void TestNdjsonRecord::errorTruncation()
{
    QFETCH(int, chars);
    QFETCH(QString, unit);
    QFETCH(bool, truncated);
    const QString error = unit.repeated(chars);
    const QByteArray line
        = R"({"type":"op","name":"x","elapsed_s":1,"success":false,"error":")" + error.toUtf8() + "\"}";
    NativeRecord r;
    QCOMPARE(codeOf(parse(line, r)), u"ok"_s);
    QCOMPARE(r.op.errorTruncated, truncated);
    const QString got = str(r.op.error);
    if (!truncated) {
        QCOMPARE(got, error);
        return;
    }
    const QString marker = QString::fromUtf8(NdjsonRecord::truncationMarker);
    QCOMPARE(marker, u"…[truncated]"_s);
    QVERIFY(got.endsWith(marker));
    const QString kept = got.chopped(marker.size());
    QCOMPARE(kept.toUcs4().size(), 5000);
    QCOMPARE(kept, unit.repeated(5000));
}

void TestNdjsonRecord::errorTruncationCountsEscapedCharacters()
{
    // 5001 characters written as \u escapes are still 5001 characters.
    QByteArray escaped;
    for (int i = 0; i < 5001; ++i)
        escaped += "\\u00e9";
    NativeRecord r;
    QVERIFY(!parse(R"({"type":"op","name":"x","elapsed_s":1,"success":false,"error":")" + escaped + "\"}", r));
    QVERIFY(r.op.errorTruncated);
    QCOMPARE(str(r.op.error), u"é"_s.repeated(5000) + u"…[truncated]"_s);
}

void TestNdjsonRecord::lineTooLong()
{
    NdjsonRecord::Limits limits;
    limits.maxLineBytes = 64;
    NativeRecord r;
    const QByteArray line = R"({"type":"quality","model":"m","metric":"f1","value":1})";
    QVERIFY(line.size() < 64);
    QCOMPARE(codeOf(parse(line, r, limits)), u"ok"_s);
    QCOMPARE(codeOf(parse(line + QByteArray(64 - line.size(), ' '), r, limits)), u"ok"_s);
    QCOMPARE(codeOf(parse(line + QByteArray(65 - line.size(), ' '), r, limits)), u"line_too_long"_s);
}

void TestNdjsonRecord::tagsSortedForSeriesKeys()
{
    NativeRecord r;
    QVERIFY(
        !parse(R"({"type":"quality","model":"m","metric":"f1","value":1,"tags":{"zone":"b","app":"x","flag":""}})", r));
    QCOMPARE(r.tags.size(), size_t(3));
    QCOMPARE(str(r.tags[0].key), u"zone"_s); // as sent
    QCOMPARE(r.tagList(), (QStringList { u"app:x"_s, u"flag"_s, u"zone:b"_s }));
}

void TestNdjsonRecord::reasonCodesAreDistinct()
{
    QSet<QString> codes;
    for (int i = 0; i < int(NdjsonRecord::Reason::Count_); ++i)
        codes.insert(QString::fromLatin1(NdjsonRecord::reasonCode(NdjsonRecord::Reason(i))));
    QCOMPARE(codes.size(), int(NdjsonRecord::Reason::Count_));
    QVERIFY(!codes.contains(u"unknown"_s));
}

// Random mutations of valid lines: never a crash, and Qt's parser agrees whenever we accept.
void TestNdjsonRecord::mutationsAgreeWithOracle()
{
    const QByteArray seeds[]
        = { kMetric, kOp, kRun, kSample, kPrediction, kQuality, kBaseline, kRunFull, kApiCall, kNotification };
    QRandomGenerator rng(42);
    NativeRecord r;
    int accepted = 0;
    for (int i = 0; i < 20000; ++i) {
        QByteArray line = seeds[rng.bounded(int(std::size(seeds)))];
        const int edits = 1 + rng.bounded(3);
        for (int e = 0; e < edits; ++e) {
            const int pos = rng.bounded(int(line.size()));
            switch (rng.bounded(3)) {
            case 0:
                line[pos] = char(rng.bounded(256));
                break;
            case 1:
                line.remove(pos, 1);
                break;
            default:
                line.insert(pos, "{}[]\",:\\u0 9e-."[rng.bounded(15)]);
                break;
            }
        }
        if (parse(line, r))
            continue;
        ++accepted;
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        QVERIFY2(error.error == QJsonParseError::NoError && doc.isObject(), line.constData());
    }
    QVERIFY(accepted > 0);
}

QTEST_GUILESS_MAIN(TestNdjsonRecord)
#include "tst_ndjsonrecord.moc"
