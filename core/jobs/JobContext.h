#pragma once
#include <atomic>
#include <functional>
#include <mutex>
#include <string>

namespace ds {

// Progress and cancellation for one long-running job, shared between the thread that
// runs the job and the one that watches it (CLI main, GUI event loop). Plain C++ so
// core stays free of Qt's event machinery; the GUI wraps the callback in a queued signal.
class JobContext {
public:
    // fraction in [0, 1] of the whole job; stage is a short human-readable step name.
    using ProgressCallback = std::function<void(double fraction, const std::string& stage)>;
    // One line of a log (e.g. "epoch 3 loss 0.41") for a job's log view.
    using LogCallback = std::function<void(const std::string& line)>;
    // One point of a named curve, e.g. ("loss", step, value) while a method trains, for a
    // live plot.
    using CurveCallback = std::function<void(const std::string& curve, double x, double y)>;

    JobContext() = default;
    JobContext(const JobContext&) = delete;
    JobContext& operator=(const JobContext&) = delete;

    void setProgressCallback(ProgressCallback callback);
    void setLogCallback(LogCallback callback);
    void setCurveCallback(CurveCallback callback);

    // Called from any thread; the job notices at its next check (every few hundred ms).
    void cancel() { cancelled_.store(true); }
    bool isCancelled() const { return cancelled_.load(); }
    // Throws ds::Cancelled when cancel() was called; jobs call it between work units.
    void throwIfCancelled() const;

    // Reports progress within the current stage span (see Span), mapped to the whole job.
    void report(double fractionOfSpan, const std::string& stage);
    void log(const std::string& line);
    void addCurvePoint(const std::string& curve, double x, double y);

    // Narrows progress reporting to [begin, end] of the parent span so a sub-step
    // (feature extraction, coreset sampling) can report 0..1 of its own work.
    class Span {
    public:
        Span(JobContext& context, double begin, double end);
        ~Span();
        Span(const Span&) = delete;
        Span& operator=(const Span&) = delete;

    private:
        JobContext& context_;
        double savedBegin_;
        double savedEnd_;
    };

private:
    std::atomic<bool> cancelled_ {false};
    std::mutex callbackMutex_;
    ProgressCallback progress_;
    LogCallback log_;
    CurveCallback curve_;
    double spanBegin_ = 0.0;
    double spanEnd_ = 1.0;
};

} // namespace ds
