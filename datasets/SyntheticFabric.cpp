// "fabric": plain-weave linen of beige threads seen close up, about 21 threads across.
#include "datasets/SyntheticRendering.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ds::synth {

namespace {

// Warp and weft of nearly the same beige (BGR): the weave shows mostly through shading,
// as in undyed linen.
const cv::Vec3f kWarpColour(0.50f, 0.58f, 0.66f);
const cv::Vec3f kWeftColour(0.54f, 0.62f, 0.70f);

// One thread family (warp or weft): per-thread centre offset and width as fractions
// of the period, and a brightness factor.
struct ThreadSet {
    std::vector<double> offset, width, shade;
    double waveAmplitude = 0, waveNumber = 0, wavePhase = 0; // common waviness, render px

    ThreadSet(cv::RNG& rng, int count, double period)
    {
        for (int i = 0; i < count; ++i) {
            offset.push_back(rng.gaussian(0.035));
            width.push_back(uniform(rng, 0.80, 0.93));
            shade.push_back(1 + rng.gaussian(0.035));
        }
        waveAmplitude = uniform(rng, 0.04, 0.10) * period;
        waveNumber = 2 * CV_PI / (period * uniform(rng, 9.0, 16.0));
        wavePhase = uniform(rng, 0.0, 2 * CV_PI);
    }
};

// Where one thread family is at a point: thread index, position across the period
// (0..1) and the cross-section height (0 off the thread, 1 on its crest).
struct ThreadHit {
    int index;
    double phase;
    double height;
};

ThreadHit hitThread(const ThreadSet& threads, double across, double along, double period, double thickness)
{
    const double shifted
        = across / period + threads.waveAmplitude / period * std::sin(along * threads.waveNumber + threads.wavePhase);
    const int index = static_cast<int>(std::floor(shifted));
    const std::size_t slot = static_cast<std::size_t>(index) % threads.offset.size();
    const double halfWidth = 0.5 * threads.width[slot] * (1 + 0.08 * thickness);
    const double d = (shifted - index - 0.5 - threads.offset[slot]) / halfWidth;
    return {index, shifted - index, std::abs(d) < 1 ? std::sqrt(1 - d * d) : 0.0};
}

// Brightness of a thread crest that dives under the crossing threads at both ends of
// its float (position 0..1 along the float).
double floatShading(double position)
{
    return 0.62 + 0.38 * std::sin(CV_PI * std::clamp(position, 0.0, 1.0));
}

cv::Mat renderWeave(const Canvas& canvas, cv::RNG& rng)
{
    const int n = canvas.size;
    const double period = 12.0 * canvas.unit() * uniform(rng, 0.98, 1.02);
    const double angle = uniform(rng, -1.0, 1.0) * CV_PI / 180;
    const double c = std::cos(angle), s = std::sin(angle);
    // Origins keep coordinates positive and give each image its own weave phase.
    const double originU = 0.5 * n + uniform(rng, 0.0, 2 * period);
    const double originV = 0.5 * n + uniform(rng, 0.0, 2 * period);
    const int threadCount = static_cast<int>((2.0 * n + 2 * period) / period) + 2;
    const ThreadSet warp(rng, threadCount, period), weft(rng, threadCount, period);

    const auto jitter = [&](const cv::Vec3f& colour) {
        return cv::Vec3f(static_cast<float>(colour[0] * (1 + rng.gaussian(0.01))),
                         static_cast<float>(colour[1] * (1 + rng.gaussian(0.01))),
                         static_cast<float>(colour[2] * (1 + rng.gaussian(0.01))));
    };
    const cv::Vec3f warpColour = jitter(kWarpColour);
    const cv::Vec3f weftColour = jitter(kWeftColour);
    const cv::Vec3f backing(0.35f, 0.39f, 0.42f); // seen between the threads

    // Fibres run along each thread, so their streaks are stretched that way.
    const cv::Mat warpFibres = grainNoise(rng, n, 0.35 * canvas.unit(), 3.0 * canvas.unit());
    const cv::Mat weftFibres = grainNoise(rng, n, 3.0 * canvas.unit(), 0.35 * canvas.unit());
    const cv::Mat thickness = fractalNoise(rng, n, 16, 2, 0.5); // slubs: thicker/thinner yarn
    const cv::Mat mottling = fractalNoise(rng, n, 3, 3, 0.5);

    cv::Mat image(n, n, CV_32FC3);
    for (int y = 0; y < n; ++y) {
        auto* pixel = image.ptr<cv::Vec3f>(y);
        for (int x = 0; x < n; ++x) {
            const double u = c * x + s * y + originU;
            const double v = -s * x + c * y + originV;
            const double slub = thickness.at<float>(y, x);
            const ThreadHit warpHit = hitThread(warp, u, v, period, slub);
            const ThreadHit weftHit = hitThread(weft, v, u, period, slub);
            // A thread floats over one crossing thread: its position along the float
            // is the crossing thread's phase.
            const double warpAlong = weftHit.phase;
            const double weftAlong = warpHit.phase;
            const bool warpOnTop = ((warpHit.index + weftHit.index) & 1) == 0;

            const auto shade = [&](const cv::Vec3f& base, const ThreadSet& threads, const ThreadHit& hit, double along,
                                   const cv::Mat& fibres, double depth) {
                const std::size_t slot = static_cast<std::size_t>(hit.index) % threads.shade.size();
                return base
                    * static_cast<float>(threads.shade[slot] * (0.75 + 0.25 * hit.height) * floatShading(along) * depth
                                         * (1 + 0.06 * fibres.at<float>(y, x)));
            };
            // The thread below shows through the gaps of the one on top, in its shadow.
            cv::Vec3f colour = backing;
            if (warpOnTop && warpHit.height > 0)
                colour = shade(warpColour, warp, warpHit, warpAlong, warpFibres, 1.0);
            else if (!warpOnTop && weftHit.height > 0)
                colour = shade(weftColour, weft, weftHit, weftAlong, weftFibres, 1.0);
            else if (warpHit.height > 0)
                colour = shade(warpColour, warp, warpHit, warpAlong, warpFibres, 0.6);
            else if (weftHit.height > 0)
                colour = shade(weftColour, weft, weftHit, weftAlong, weftFibres, 0.6);
            pixel[x] = colour * static_cast<float>(1 + 0.03 * mottling.at<float>(y, x));
        }
    }
    return image;
}

// A loose thread of another colour lying across the cloth, with its shadow.
cv::Mat addLooseThread(cv::Mat& image, const Canvas& canvas, cv::RNG& rng)
{
    const double length = uniform(rng, 0.25, 0.5) * canvas.size;
    const double heading = uniform(rng, 0.0, 2 * CV_PI);
    // Centred well inside the image, so it is rarely cut by the border.
    const cv::Point2d start
        = randomPoint(rng, canvas, 0.3 * canvas.size) - cv::Point2d(std::cos(heading), std::sin(heading)) * (0.5 * length);
    const std::vector<cv::Point2d> path = smoothCurve(rng, canvas, start, heading, length, 0.025);
    const double width = canvas.strokeWidth(uniform(rng, 3.0, 4.5), 1.3);
    const cv::Mat alpha = strokeAlpha(canvas, path, width);

    std::vector<cv::Point2d> shadowPath = path;
    for (cv::Point2d& p : shadowPath)
        p += cv::Point2d(0.8, 1.2) * canvas.unit();
    const cv::Mat shadow = blurred(strokeAlpha(canvas, shadowPath, width), 0.6 * canvas.unit());
    multiplyWhere(image, shadow, cv::Scalar::all(0.6));

    const cv::Scalar colours[] = {{0.16, 0.14, 0.13}, {0.16, 0.20, 0.58}, {0.36, 0.22, 0.12}}; // black, red, navy
    const cv::Scalar colour = colours[rng.uniform(0, 3)];
    // Rounded cross-section: the blurred coverage peaks on the thread's axis.
    const cv::Mat crest = blurred(alpha, width / 4);
    const cv::Mat fibres = grainNoise(rng, canvas.size, 0.8 * canvas.unit(), 0.8 * canvas.unit());
    cv::Mat threadImage(image.size(), CV_32FC3);
    for (int y = 0; y < image.rows; ++y)
        for (int x = 0; x < image.cols; ++x) {
            const double light = (0.65 + 0.5 * crest.at<float>(y, x)) * (1 + 0.08 * fibres.at<float>(y, x));
            threadImage.at<cv::Vec3f>(y, x)
                = cv::Vec3f(static_cast<float>(colour[0] * light), static_cast<float>(colour[1] * light),
                            static_cast<float>(colour[2] * light));
        }
    blendWhere(image, alpha, threadImage);
    return cv::max(alpha, shadow);
}

// A stain soaked into the cloth: darker and tinted, with the denser rim of a dried
// liquid, the weave still visible through it.
cv::Mat addStain(cv::Mat& image, const Canvas& canvas, cv::RNG& rng)
{
    const double radius = uniform(rng, 0.05, 0.105) * canvas.size;
    const std::vector<cv::Point2d> outline = blobOutline(rng, randomPoint(rng, canvas, radius * 1.3), radius, 0.35,
                                                         uniform(rng, 0.8, 1.3), uniform(rng, 0.0, CV_PI));
    const cv::Mat alpha = blurred(fillAlpha(canvas, outline), 1.2 * canvas.unit());
    const cv::Mat density = fractalNoise(rng, canvas.size, 6, 2, 0.5);
    cv::Mat strength(alpha.size(), CV_32F);
    for (int y = 0; y < alpha.rows; ++y)
        for (int x = 0; x < alpha.cols; ++x) {
            const float a = alpha.at<float>(y, x);
            const float rim = 4 * a * (1 - a);
            strength.at<float>(y, x) = std::clamp(a * (0.8f + 0.2f * density.at<float>(y, x)) + 0.3f * rim, 0.f, 1.f);
        }
    const cv::Scalar tints[] = {{0.45, 0.50, 0.56}, {0.35, 0.55, 0.85}, {0.46, 0.46, 0.45}}; // oil, rust, grime
    multiplyWhere(image, strength, tints[rng.uniform(0, 3)]);
    return alpha;
}

// A hole with frayed edges: the dark backing shows through, broken thread ends poke
// into it, the cloth around it is pushed up and shadowed.
cv::Mat addHole(cv::Mat& image, const Canvas& canvas, cv::RNG& rng)
{
    const double radius = uniform(rng, 0.032, 0.07) * canvas.size;
    const cv::Point2d center = randomPoint(rng, canvas, radius * 1.5);
    std::vector<cv::Point2d> outline = blobOutline(rng, center, radius, 0.3, uniform(rng, 0.75, 1.35), uniform(rng, 0.0, CV_PI));
    for (cv::Point2d& p : outline) // torn, not cut: a ragged edge
        p = center + (p - center) * (1 + rng.gaussian(0.07));
    const cv::Mat alpha = blurred(fillAlpha(canvas, outline), 0.5 * canvas.unit());
    const cv::Mat ring = cv::max(blurred(alpha, 2.0 * canvas.unit()) - alpha, 0.0);
    multiplyWhere(image, ring, cv::Scalar::all(0.35));

    const cv::Mat depth = fractalNoise(rng, canvas.size, 8, 2, 0.5);
    cv::Mat backing(image.size(), CV_32FC3);
    for (int y = 0; y < image.rows; ++y)
        for (int x = 0; x < image.cols; ++x) {
            const float value = 0.07f * (1 + 0.25f * depth.at<float>(y, x));
            backing.at<cv::Vec3f>(y, x) = cv::Vec3f(value * 1.1f, value, value);
        }
    blendWhere(image, alpha, backing);

    // Thread ends run along the weave (axis-aligned) from the edge towards the middle.
    const int ends = rng.uniform(3, 7);
    for (int e = 0; e < ends; ++e) {
        const cv::Point2d root = outline[static_cast<std::size_t>(rng.uniform(0, static_cast<int>(outline.size())))];
        const cv::Point2d inward = center - root;
        const bool horizontal = std::abs(inward.x) > std::abs(inward.y);
        const double heading = horizontal ? (inward.x > 0 ? 0 : CV_PI) : (inward.y > 0 ? CV_PI / 2 : -CV_PI / 2);
        const std::vector<cv::Point2d> path
            = smoothCurve(rng, canvas, root, heading + rng.gaussian(0.2), uniform(rng, 0.3, 0.7) * radius, 0.06);
        const double width = canvas.strokeWidth(uniform(rng, 2.0, 3.5), 1.0);
        const cv::Mat end = strokeAlpha(canvas, path, width).mul(alpha);
        const cv::Mat crest = blurred(end, width / 4);
        const cv::Vec3f colour = horizontal ? kWeftColour : kWarpColour;
        cv::Mat yarn(image.size(), CV_32FC3);
        for (int y = 0; y < image.rows; ++y)
            for (int x = 0; x < image.cols; ++x)
                yarn.at<cv::Vec3f>(y, x) = colour * (0.55f + 0.45f * crest.at<float>(y, x));
        blendWhere(image, end, yarn);
    }
    return cv::max(alpha, ring * 2.0); // the ring's dark inner half belongs to the defect
}

// A dyeing fault: a soft-edged patch whose hue and brightness are off.
cv::Mat addColourShift(cv::Mat& image, const Canvas& canvas, cv::RNG& rng)
{
    const double radius = uniform(rng, 0.08, 0.115) * canvas.size;
    const std::vector<cv::Point2d> outline = blobOutline(rng, randomPoint(rng, canvas, radius * 1.2), radius, 0.25,
                                                         uniform(rng, 0.7, 1.4), uniform(rng, 0.0, CV_PI));
    const cv::Mat alpha = blurred(fillAlpha(canvas, outline), 1.5 * canvas.unit());
    const double hue = uniform(rng, 0.0, 2 * CV_PI);
    const double saturation = uniform(rng, 0.28, 0.4);
    const double brightness = 1 + (rng.uniform(0, 2) == 0 ? -1 : 1) * uniform(rng, 0.06, 0.14);
    multiplyWhere(image, alpha, colourShiftGain(hue, saturation, brightness));
    return alpha;
}

} // namespace

Scene renderFabric(const Canvas& canvas, cv::RNG& sceneRng, const std::string& defectType, cv::RNG& defectRng)
{
    Scene scene;
    scene.image = renderWeave(canvas, sceneRng);
    if (defectType.empty())
        scene.defect = cv::Mat::zeros(scene.image.size(), CV_32F);
    else if (defectType == "thread")
        scene.defect = addLooseThread(scene.image, canvas, defectRng);
    else if (defectType == "stain")
        scene.defect = addStain(scene.image, canvas, defectRng);
    else if (defectType == "hole")
        scene.defect = addHole(scene.image, canvas, defectRng);
    else if (defectType == "color")
        scene.defect = addColourShift(scene.image, canvas, defectRng);
    else
        throw std::invalid_argument("fabric has no defect type '" + defectType + "'");
    return scene;
}

} // namespace ds::synth
