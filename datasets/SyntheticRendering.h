#pragma once
// Internal to ds_datasets: the drawing toolkit shared by the category renderers.
#include <opencv2/core.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ds::synth {

// The supersampled square a scene is rendered on. Scene geometry is written in
// "design pixels", i.e. pixels of a 256-px image, so every category looks the same at
// every output size.
struct Canvas {
    int size = 0; // side in render pixels
    double finalPixel = 1; // render pixels per pixel of the output image

    double unit() const { return size / 256.0; } // render pixels per design pixel
    // Render-pixel width of a stroke that is designWidth design pixels wide but never
    // thinner than minFinalPixels output pixels (thin defects must survive downsampling).
    double strokeWidth(double designWidth, double minFinalPixels) const;
};

// A noise-free rendering: BGR in [0,1] (CV_32FC3) and the defect region (CV_32FC1 in
// [0,1], all zero for a good image), both canvas-sized.
struct Scene {
    cv::Mat image;
    cv::Mat defect;
};

// Renders one scene. sceneRng draws everything a good image is made of and is consumed
// identically whatever the defect, so a defective scene is its good scene plus the
// defect; defectRng draws the defect. defectType is empty for a good image.
using SceneRenderer = Scene (*)(const Canvas& canvas, cv::RNG& sceneRng, const std::string& defectType, cv::RNG& defectRng);
Scene renderFabric(const Canvas&, cv::RNG& sceneRng, const std::string& defectType, cv::RNG& defectRng);
Scene renderTiles(const Canvas&, cv::RNG& sceneRng, const std::string& defectType, cv::RNG& defectRng);
Scene renderPart(const Canvas&, cv::RNG& sceneRng, const std::string& defectType, cv::RNG& defectRng);

// A generator for one size-dependent random field (noise image, profile). Takes exactly
// one draw from rng whatever the field's size, so the draws after it, and with them
// the scene, are the same at every output size.
cv::RNG fieldRng(cv::RNG& rng);

// Smooth random field, zero mean and unit standard deviation, size x size; its coarsest
// features are about size/baseCells wide, each finer octave halves them with weight
// `persistence` relative to the previous one. Takes one draw from rng (fieldRng).
cv::Mat fractalNoise(cv::RNG& rng, int size, int baseCells, int octaves, double persistence);

// White noise blurred with (sigmaX, sigmaY) render pixels, normalised to unit standard
// deviation: streaks along threads, grain, sand. Takes one draw from rng (fieldRng).
cv::Mat grainNoise(cv::RNG& rng, int size, double sigmaX, double sigmaY);

// Closed irregular outline around center: mean radius `radius`, lobes of relative
// amplitude `irregularity`, stretched by `aspect` along `angle` (radians).
std::vector<cv::Point2d> blobOutline(cv::RNG& rng, cv::Point2d center, double radius, double irregularity, double aspect,
                                     double angle);

// Smooth open curve from `start` heading `angle`, `length` render pixels long, one
// vertex every 2 design pixels; the heading's turn per vertex random-walks with steps
// of `bendiness` radians (standard deviation).
std::vector<cv::Point2d> smoothCurve(cv::RNG& rng, const Canvas& canvas, cv::Point2d start, double angle, double length,
                                     double bendiness);

// Coverage of a filled polygon / a polyline of given width on a canvas-sized CV_32FC1,
// anti-aliased.
cv::Mat fillAlpha(const Canvas& canvas, const std::vector<cv::Point2d>& outline);
cv::Mat strokeAlpha(const Canvas& canvas, const std::vector<cv::Point2d>& path, double width);

// image <- image * (1 + alpha * (gain - 1)), per channel; gain is BGR.
void multiplyWhere(cv::Mat& image, const cv::Mat& alpha, cv::Scalar gain);
// image <- image * (1 - alpha) + target * alpha; target is a CV_32FC3 image or a colour.
void blendWhere(cv::Mat& image, const cv::Mat& alpha, const cv::Mat& target);
void blendWhere(cv::Mat& image, const cv::Mat& alpha, cv::Scalar target);

// Per-channel (BGR) gain of a colour fault: `brightness` times a push of `saturation`
// towards the colour-wheel direction `hue` (radians). For multiplyWhere().
cv::Scalar colourShiftGain(double hue, double saturation, double brightness);

// Gaussian blur with sigma in render pixels (kernel size from sigma).
cv::Mat blurred(const cv::Mat& image, double sigma);

// A point at least `margin` render pixels inside the canvas.
cv::Point2d randomPoint(cv::RNG& rng, const Canvas& canvas, double margin);
// A double in [lo, hi): spelled out because cv::RNG::uniform(1, 3) silently draws ints.
double uniform(cv::RNG& rng, double lo, double hi);
double angleBetween(double a, double b); // smallest absolute difference, radians

} // namespace ds::synth
