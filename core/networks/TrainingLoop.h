#pragma once
#include "core/detectors/Detector.h"
#include "core/jobs/JobContext.h"

#include <array>
#include <functional>
#include <string>

namespace ds {

// What a network's training run is told: how long, what to call it, when to stop early.
struct TrainingPlan {
    int steps = 1000;
    std::string stage = "Training";
    std::string curve = "loss";
    int logEvery = 25;
    // Stops when the smoothed loss has not fallen below 99 % of its best for this many
    // steps (0: never early).
    int patience = 0;
};

// Runs step(1..steps), each returning its loss: progress with time left in the job's
// log, the loss as a live curve, cancellation checked before every step (a step must
// take well under a second), early stop by plan.patience. Returns the steps run.
int runTrainingLoop(JobContext& job, const TrainingPlan& plan, const std::function<double(int step)>& step);

// The user's trade of training time against accuracy, for methods that train a network:
// "budget" 0 quick, 1 balanced, 2 thorough. Each method maps it to steps and resolution.
ParameterSpec trainingBudgetParameter(const std::string& tooltip);
// "network_steps": 0 takes the budget's number of steps.
ParameterSpec trainingStepsParameter();
// "width": channels of a network's first stage, 32 to 128 (default 32), doubling per stage.
ParameterSpec networkWidthParameter(const std::string& label, const std::string& tooltip);
// Training time of steps at secondsPerStep measured for width 32: it grows with the square
// of the width (convolutions' cost), and not below half.
double widthScaledSeconds(double steps, double secondsPerStep, double width);

// What each training budget buys a method: the side at which images are seen, and steps.
struct NetworkBudget {
    int side;
    int steps;
};
using NetworkBudgets = std::array<NetworkBudget, 3>; // quick, balanced, thorough
// The budget settings choose among a method's three; "network_steps", when set, replaces its steps.
NetworkBudget chosenBudget(const DetectorSettings& settings, const NetworkBudgets& budgets);

// "3 min", "45 s": a duration as a person reads it.
std::string readableDuration(double seconds);

} // namespace ds
