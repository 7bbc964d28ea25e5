// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "collector/gpusampler.h"
#include "collector/processsampler.h"
#include "collector/resourcevalue.h"
#include "collector/systemsampler.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <memory>

class QThread;

namespace perfdash {

struct ResourceSamplerOptions {
    qint64 intervalMs = 1000;
    QString procRoot = QStringLiteral("/proc");
    QByteArray nvmlLibrary = QByteArrayLiteral("libnvidia-ml.so.1"); // empty: no GPU sampling
    int maxPids = 256;
};

// One round of every sampler: the system, the watched pids and the GPUs. Owns no thread and no timer, so the
// benchmark and the tests call it directly. Used on one thread.
class ResourceSampler {
public:
    using Options = ResourceSamplerOptions;
    // Loads NVML (which may take a moment with the driver's persistence mode off) unless a backend is given.
    explicit ResourceSampler(const Options &options);
    ResourceSampler(const Options &options, std::unique_ptr<GpuBackend> gpu);

    // One line on how GPUs are sampled, or why they are not.
    QString gpuNotice() const { return m_gpuNotice; }
    ProcessSampler::WatchResult watch(qint64 pid);
    // Takes the CPU baselines so that the next sample() reports CPU.
    void baseline();
    ResourceSample sample();

private:
    SystemSampler m_system;
    ProcessSampler m_processes;
    QString m_gpuNotice; // before m_gpu: loading NVML writes it
    std::unique_ptr<GpuSampler> m_gpu;
    QElapsedTimer m_mono;
    QHash<qint64, double> m_gpuByPid;
    quint64 m_rounds = 0;
};

// Runs a ResourceSampler on its own thread, on a timer: the first sample about a quarter second after start() (the
// CPU needs a baseline), then one each interval, in the middle of a UTC-aligned interval so that every one-second
// bucket gets exactly one. Lives on the sampler thread; SamplerThread owns it.
class SamplerWorker : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SamplerWorker)
public:
    explicit SamplerWorker(ResourceSamplerOptions options, QObject *parent = nullptr);
    ~SamplerWorker() override;

    void start();
    void watch(qint64 pid);

Q_SIGNALS:
    void sampled(const perfdash::ResourceSample &sample);
    // Once, after start: how GPUs are sampled, or why they are not.
    void gpuNotice(const QString &text);

private:
    void onTimer();
    void scheduleNext();

    ResourceSamplerOptions m_options;
    std::unique_ptr<ResourceSampler> m_sampler;
    QTimer m_timer;
};

// Owns the sampler thread and its worker; the worker's signals arrive queued on the owner's thread. The owner's
// thread calls every method.
class SamplerThread {
public:
    explicit SamplerThread(ResourceSamplerOptions options);
    ~SamplerThread();
    SamplerThread(const SamplerThread &) = delete;
    SamplerThread &operator=(const SamplerThread &) = delete;

    SamplerWorker *worker() const { return m_worker.get(); }
    void start();
    void watch(qint64 pid);

private:
    std::unique_ptr<QThread> m_thread;
    std::unique_ptr<SamplerWorker> m_worker;
};

} // namespace perfdash
