#include "core/jobs/JobContext.h"

#include "core/Error.h"

#include <algorithm>

namespace ds {

void JobContext::setProgressCallback(ProgressCallback callback)
{
    std::lock_guard<std::mutex> lock(callbackMutex_);
    progress_ = std::move(callback);
}

void JobContext::setLogCallback(LogCallback callback)
{
    std::lock_guard<std::mutex> lock(callbackMutex_);
    log_ = std::move(callback);
}

void JobContext::setCurveCallback(CurveCallback callback)
{
    std::lock_guard<std::mutex> lock(callbackMutex_);
    curve_ = std::move(callback);
}

void JobContext::addCurvePoint(const std::string& curve, double x, double y)
{
    std::lock_guard<std::mutex> lock(callbackMutex_);
    if (curve_)
        curve_(curve, x, y);
}

void JobContext::throwIfCancelled() const
{
    if (isCancelled())
        throw Cancelled();
}

void JobContext::report(double fractionOfSpan, const std::string& stage)
{
    const double clamped = std::clamp(fractionOfSpan, 0.0, 1.0);
    const double overall = spanBegin_ + clamped * (spanEnd_ - spanBegin_);
    std::lock_guard<std::mutex> lock(callbackMutex_);
    if (progress_)
        progress_(overall, stage);
}

void JobContext::log(const std::string& line)
{
    std::lock_guard<std::mutex> lock(callbackMutex_);
    if (log_)
        log_(line);
}

JobContext::Span::Span(JobContext& context, double begin, double end)
    : context_(context)
    , savedBegin_(context.spanBegin_)
    , savedEnd_(context.spanEnd_)
{
    const double width = savedEnd_ - savedBegin_;
    context_.spanBegin_ = savedBegin_ + begin * width;
    context_.spanEnd_ = savedBegin_ + end * width;
}

JobContext::Span::~Span()
{
    context_.spanBegin_ = savedBegin_;
    context_.spanEnd_ = savedEnd_;
}

} // namespace ds
