// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/resourcesampler.h"

#include <QDateTime>
#include <QThread>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

// Long enough for a CPU figure of 4% resolution (10 ms ticks), short enough to count as "at once".
constexpr int kFirstSampleDelayMs = 250;

std::unique_ptr<GpuBackend> loadNvml(const QByteArray &library, QString *notice)
{
    if (library.isEmpty()) {
        *notice = u"no GPU gauges: turned off"_s;
        return nullptr;
    }
    auto backend = NvmlBackend::load(library, notice);
    if (backend)
        *notice = u"GPU gauges through NVML: %1 GPU(s)"_s.arg(backend->deviceCount());
    else
        *notice = u"no GPU gauges: "_s + *notice;
    return backend;
}

} // namespace

ResourceSampler::ResourceSampler(const Options &options)
    : m_system(options.procRoot)
    , m_processes(ProcessSampler::Options { options.procRoot, options.maxPids })
    , m_gpu(std::make_unique<GpuSampler>(loadNvml(options.nvmlLibrary, &m_gpuNotice)))
{
    m_mono.start();
}

ResourceSampler::ResourceSampler(const Options &options, std::unique_ptr<GpuBackend> gpu)
    : m_system(options.procRoot)
    , m_processes(ProcessSampler::Options { options.procRoot, options.maxPids })
    , m_gpu(std::make_unique<GpuSampler>(std::move(gpu)))
{
    m_gpuNotice = m_gpu->available() ? u"GPU sampling: %1 GPU(s)"_s.arg(m_gpu->deviceCount()) : u"no GPU"_s;
    m_mono.start();
}

ProcessSampler::WatchResult ResourceSampler::watch(qint64 pid)
{
    return m_processes.watch(pid, m_mono.nsecsElapsed());
}

void ResourceSampler::baseline()
{
    m_system.baseline();
}

ResourceSample ResourceSampler::sample()
{
    QElapsedTimer cost;
    cost.start();
    ResourceSample out;
    out.values.reserve(12 + 5 * m_processes.watchedCount() + 3 * m_gpu->deviceCount());
    m_system.sample(out.values);
    const bool gpu = m_gpu->available();
    if (gpu)
        m_gpu->sample(out.values, m_gpuByPid);
    m_processes.sample(m_mono.nsecsElapsed(), out.values, out.gonePids, gpu ? &m_gpuByPid : nullptr);
    out.counters.samples = ++m_rounds;
    m_processes.addCounters(out.counters);
    out.counters.gpus = quint64(m_gpu->deviceCount());
    out.counters.gpuErrors = m_gpu->errors();
    out.counters.lastCostUs = cost.nsecsElapsed() / 1000;
    return out;
}

SamplerWorker::SamplerWorker(ResourceSamplerOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_timer(this)
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &SamplerWorker::onTimer);
}

SamplerWorker::~SamplerWorker() = default;

void SamplerWorker::start()
{
    // NVML is loaded here, on the sampler thread: its initialisation may take a while and must not hold up ingest.
    m_sampler = std::make_unique<ResourceSampler>(m_options);
    Q_EMIT gpuNotice(m_sampler->gpuNotice());
    m_sampler->baseline();
    m_timer.start(kFirstSampleDelayMs);
}

void SamplerWorker::watch(qint64 pid)
{
    // A pid we cannot read stays known to the collector, so a busy sender is not re-announced with every datagram.
    if (m_sampler)
        m_sampler->watch(pid);
}

void SamplerWorker::onTimer()
{
    Q_EMIT sampled(m_sampler->sample());
    scheduleNext();
}

void SamplerWorker::scheduleNext()
{
    // Sample in the middle of an interval aligned to UTC, at least a quarter interval from now: clock jitter then never
    // puts two samples in one second and none in the next.
    const qint64 interval = m_options.intervalMs;
    const qint64 phase = interval / 2;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    qint64 next = (now - phase) / interval * interval + interval + phase;
    if (next - now < interval / 4)
        next += interval;
    m_timer.start(int(next - now));
}

SamplerThread::SamplerThread(ResourceSamplerOptions options)
    : m_thread(std::make_unique<QThread>())
    , m_worker(std::make_unique<SamplerWorker>(std::move(options)))
{
    qRegisterMetaType<ResourceSample>();
    m_thread->setObjectName(u"perfdash-sampler"_s);
    m_worker->moveToThread(m_thread.get());
    m_thread->start();
}

SamplerThread::~SamplerThread()
{
    // The worker and its timer die on their own thread; a round under way finishes first.
    SamplerWorker *worker = m_worker.release();
    QMetaObject::invokeMethod(
        worker, [worker]() { delete worker; }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
}

void SamplerThread::start()
{
    QMetaObject::invokeMethod(m_worker.get(), &SamplerWorker::start, Qt::QueuedConnection);
}

void SamplerThread::watch(qint64 pid)
{
    SamplerWorker *worker = m_worker.get();
    QMetaObject::invokeMethod(
        worker, [worker, pid]() { worker->watch(pid); }, Qt::QueuedConnection);
}

} // namespace perfdash
