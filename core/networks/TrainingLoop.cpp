#include "core/networks/TrainingLoop.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace ds {

std::string readableDuration(double seconds)
{
    char text[32];
    if (seconds < 90)
        std::snprintf(text, sizeof text, "%.0f s", std::max(0.0, seconds));
    else if (seconds < 90 * 60)
        std::snprintf(text, sizeof text, "%.0f min", seconds / 60);
    else
        std::snprintf(text, sizeof text, "%.1f h", seconds / 3600);
    return text;
}

ParameterSpec trainingBudgetParameter(const std::string& tooltip)
{
    return {"budget", "Training budget", tooltip, 1, 0, 2, true, {"Quick", "Balanced", "Thorough"}};
}

NetworkBudget chosenBudget(const DetectorSettings& settings, const NetworkBudgets& budgets)
{
    NetworkBudget chosen = budgets[size_t(std::clamp(int(settings.parameters.at("budget")), 0, 2))];
    if (settings.parameters.at("network_steps") > 0)
        chosen.steps = int(settings.parameters.at("network_steps"));
    return chosen;
}

ParameterSpec trainingStepsParameter()
{
    return {"network_steps",
            "Training steps (0: budget)",
            "Training steps (batches of generated defects); 0 takes the budget's number.",
            0,
            0,
            100000,
            true,
            {}};
}

ParameterSpec networkWidthParameter(const std::string& label, const std::string& tooltip)
{
    return {"width", label, tooltip, 32, 32, 128, true, {}};
}

double widthScaledSeconds(double steps, double secondsPerStep, double width)
{
    const double relative = width / 32.0;
    return steps * secondsPerStep * std::max(0.5, relative * relative);
}

int runTrainingLoop(JobContext& job, const TrainingPlan& plan, const std::function<double(int step)>& step)
{
    using Clock = std::chrono::steady_clock;
    const Clock::time_point start = Clock::now();
    double smoothed = 0, best = INFINITY;
    int bestStep = 0;
    for (int index = 1; index <= plan.steps; ++index) {
        job.throwIfCancelled();
        const double loss = step(index);
        smoothed = index == 1 ? loss : 0.95 * smoothed + 0.05 * loss;
        job.addCurvePoint(plan.curve, index, loss);
        job.report(double(index) / double(plan.steps), plan.stage);
        if (smoothed < 0.99 * best) {
            best = smoothed;
            bestStep = index;
        }
        const bool stopEarly = plan.patience > 0 && index - bestStep >= plan.patience;
        if (index % plan.logEvery == 0 || index == plan.steps || stopEarly) {
            const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
            char line[160];
            std::snprintf(line, sizeof line, "%s: step %d/%d, loss %.4f, %s elapsed, about %s left", plan.stage.c_str(), index,
                          plan.steps, smoothed, readableDuration(elapsed).c_str(),
                          readableDuration(elapsed / index * (plan.steps - index)).c_str());
            job.log(line);
        }
        if (stopEarly) {
            job.log(plan.stage + ": the loss stopped falling; stopped early at step " + std::to_string(index));
            job.report(1.0, plan.stage);
            return index;
        }
    }
    return plan.steps;
}

} // namespace ds
