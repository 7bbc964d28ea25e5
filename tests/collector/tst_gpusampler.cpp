// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/gpusampler.h"
#include "collector/resourcesampler.h"

#include <QFileInfo>
#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

class FakeBackend : public GpuBackend {
public:
    int deviceCount() const override { return int(readings.size()); }
    bool read(int index, GpuReading *out) override
    {
        if (failing.contains(index))
            return false;
        *out = readings[index];
        return true;
    }
    QVector<GpuReading> readings;
    QList<int> failing;
};

double valueOf(const QVector<ResourceValue> &values, const QString &key)
{
    for (const auto &v : values) {
        if (v.key == key)
            return v.value;
    }
    return std::nan("");
}

} // namespace

class TestGpuSampler : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void mapsReadingsToSeries();
    void missingFieldsAndFailures();
    void noBackend();
    void nvmlAbsent();
    void nvmlThroughFakeLibrary();
    void resourceSamplerWithoutGpu();
};

void TestGpuSampler::mapsReadingsToSeries()
{
    auto backend = std::make_unique<FakeBackend>();
    GpuReading a;
    a.utilizationPercent = 37;
    a.memoryUsedMb = 1024;
    a.memoryTotalMb = 16384;
    a.processMemoryMb = { { 4242, 512 }, { 9, 1 } };
    GpuReading b;
    b.utilizationPercent = 80;
    b.memoryUsedMb = 2048;
    b.memoryTotalMb = 16384;
    b.processMemoryMb = { { 4242, 256 } };
    backend->readings = { a, b };
    GpuSampler sampler(std::move(backend));
    QVERIFY(sampler.available());
    QCOMPARE(sampler.deviceCount(), 2);
    QVector<ResourceValue> out;
    QHash<qint64, double> perPid { { 1, 1.0 } };
    sampler.sample(out, perPid);
    QCOMPARE(out.size(), 6);
    QCOMPARE(valueOf(out, u"gpu.utilization_percent|gpu:0"_s), 37.0);
    QCOMPARE(valueOf(out, u"gpu.utilization_percent|gpu:1"_s), 80.0);
    QCOMPARE(valueOf(out, u"gpu.memory_used_mb|gpu:0"_s), 1024.0);
    QCOMPARE(valueOf(out, u"gpu.memory_used_mb|gpu:1"_s), 2048.0);
    QCOMPARE(valueOf(out, u"gpu.memory_total_mb|gpu:1"_s), 16384.0);
    // A process on two GPUs: its memory is summed; the map is rebuilt each round.
    QCOMPARE(perPid.size(), 2);
    QCOMPARE(perPid.value(4242), 768.0);
    QCOMPARE(perPid.value(9), 1.0);
    QCOMPARE(sampler.errors(), 0u);
}

void TestGpuSampler::missingFieldsAndFailures()
{
    auto backend = std::make_unique<FakeBackend>();
    GpuReading partial;
    partial.memoryUsedMb = 10; // utilisation unknown (NaN): left out rather than sent as 0
    backend->readings = { partial, GpuReading {} };
    backend->failing = { 1 };
    GpuSampler sampler(std::move(backend));
    QVector<ResourceValue> out;
    QHash<qint64, double> perPid;
    sampler.sample(out, perPid);
    QCOMPARE(out.size(), 1);
    QCOMPARE(out.constFirst().key, u"gpu.memory_used_mb|gpu:0"_s);
    QCOMPARE(sampler.errors(), 1u);
}

void TestGpuSampler::noBackend()
{
    GpuSampler sampler(nullptr);
    QVERIFY(!sampler.available());
    QVector<ResourceValue> out;
    QHash<qint64, double> perPid;
    sampler.sample(out, perPid);
    QVERIFY(out.isEmpty());
}

void TestGpuSampler::nvmlAbsent()
{
    QString why;
    QVERIFY(!NvmlBackend::load("libperfdash-no-such-nvml.so.1", &why));
    QCOMPARE(why, u"libperfdash-no-such-nvml.so.1 not found"_s);
    // A library without NVML's entry points is refused, not called.
    QVERIFY(!NvmlBackend::load("libc.so.6", &why));
    QVERIFY2(why.contains(u"lacks"_s), qPrintable(why));
    auto real = NvmlBackend::load("libnvidia-ml.so.1", &why);
    if (real)
        QSKIP("this machine has NVML: the absent path is covered by the names above");
    QVERIFY(!why.isEmpty());
}

void TestGpuSampler::nvmlThroughFakeLibrary()
{
    const QByteArray path = QByteArrayLiteral(FAKENVML_PATH);
    QVERIFY(QFileInfo::exists(QString::fromLocal8Bit(path)));
    QString why;
    auto backend = NvmlBackend::load(path, &why);
    QVERIFY2(backend, qPrintable(why));
    QCOMPARE(backend->deviceCount(), 2);
    QVERIFY(!backend->read(2, nullptr));
    GpuReading r0, r1;
    QVERIFY(backend->read(0, &r0));
    QVERIFY(backend->read(1, &r1));
    QCOMPARE(r0.utilizationPercent, 37.0);
    QCOMPARE(r0.memoryUsedMb, 1024.0);
    QCOMPARE(r0.memoryTotalMb, 16384.0);
    QCOMPARE(r0.processMemoryMb.size(), 1);
    QCOMPARE(r0.processMemoryMb[0].first, 4242);
    QCOMPARE(r0.processMemoryMb[0].second, 512.0);
    // 70 processes: more than the first guess, so the call was repeated with room for all; the one whose memory
    // NVML does not know is left out.
    QCOMPARE(r1.processMemoryMb.size(), 69);
    QCOMPARE(r1.processMemoryMb[0].first, 4242);
    QCOMPARE(r1.processMemoryMb[0].second, 256.0);
    QCOMPARE(r1.processMemoryMb[1].first, 10002);

    GpuSampler sampler(std::move(backend));
    QVector<ResourceValue> out;
    QHash<qint64, double> perPid;
    sampler.sample(out, perPid);
    QCOMPARE(valueOf(out, u"gpu.utilization_percent|gpu:1"_s), 80.0);
    QCOMPARE(perPid.value(4242), 768.0);
    QVERIFY(!perPid.contains(77));
}

void TestGpuSampler::resourceSamplerWithoutGpu()
{
    ResourceSampler::Options options;
    options.nvmlLibrary = "libperfdash-no-such-nvml.so.1";
    ResourceSampler sampler(options);
    QCOMPARE(sampler.gpuNotice(), u"no GPU gauges: libperfdash-no-such-nvml.so.1 not found"_s);
    sampler.baseline();
    const ResourceSample sample = sampler.sample();
    QCOMPARE(sample.counters.gpus, 0u);
    for (const auto &v : sample.values)
        QVERIFY2(!v.key.startsWith(u"gpu."_s), qPrintable(v.key));
    QVERIFY(std::any_of(sample.values.begin(), sample.values.end(),
        [](const ResourceValue &v) { return v.key == u"system.memory_total_mb"_s; }));
}

QTEST_GUILESS_MAIN(TestGpuSampler)
#include "tst_gpusampler.moc"
