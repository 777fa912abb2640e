#pragma once
#include "core/review/ResultsExport.h"
#include "core/storage/ProjectFile.h"
#include "ui/jobs/JobRunner.h"
#include "ui/models/ResultsModel.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include <opencv2/core.hpp>

class QAction;
class QComboBox;
class QLabel;
class QMenu;
class QSlider;
class QTableView;
class QTimer;
class QWidget;

namespace ds::ui {

class BackgroundTask;
class ImagePane;
class ModelsModel;
class ResultsFilterProxy;
class ResultsPane;
class ReviewHistoryView;
class ReviewPanel;
class RunMetricsLabel;
class ThresholdBar;
class ThresholdPlots;

// The run shown and its review. Two widgets of it sit in the window: the results pane (the
// selected model's latest finished run as a ranked, filterable table) and the review tab
// (the image with its heatmap, the verdicts, mask editing, the threshold with its plots
// and the run's metrics); a third, the image's history, goes in a dock. The page owns
// what is shown (run, image, threshold, review queue) and writes verdicts, mask edits and
// the chosen threshold; the window tells it which model to show and when scoring streams.
class ReviewPage : public QObject {
    Q_OBJECT
public:
    ReviewPage(const ModelsModel* models, QWidget* window);
    ~ReviewPage() override;

    ResultsPane* resultsPane() const { return results_; }
    QWidget* reviewTab() const { return reviewTab_; }
    ReviewHistoryView* historyView() const { return historyView_; }

    // The project the page reads and writes (null: none open). The page does not own it.
    void setProject(ds::ProjectFile* project, const QString& path);
    // Shows modelId's latest finished run (0: none), on its first row.
    void showModel(std::int64_t modelId);
    // Reads the run shown again (e.g. renamed defect types), staying on the image shown.
    void reload();

    // A scoring run of modelId: rows arrive one by one, judged at threshold, until
    // endScoring(); the threshold controls wait meanwhile. False when the project cannot
    // be read (said through message()).
    bool beginScoring(std::int64_t modelId, double threshold);
    void appendScoredImage(std::int64_t runId, std::int64_t imageId, double score);
    void endScoring() { scoringModelId_ = 0; }
    bool isScoring() const { return scoringModelId_ != 0; }

    // Next and previous image (N, P, arrows), for the View menu.
    void addNavigationActions(QMenu* menu);
    // Verdicts (D, G, U), the overlay (O), mask editing (M), defect types and the reviewer's
    // name, for the Review menu.
    void addReviewActions(QMenu* menu);
    // Export Results and Export Report of the run shown, for the File menu.
    void addExportActions(QMenu* menu);
    void updateActions(bool idle); // idle: no job runs

    std::int64_t runId() const { return runId_; }
    std::int64_t runModelId() const { return runModelId_; }
    std::int64_t imageId() const { return imageId_; }
    // The image the pane shows (decoded after imageId() changes; mask edits apply to it).
    std::int64_t shownImageId() const { return shownImageId_; }
    double currentThreshold() const;
    // Test images whose latest verdict is Good.
    std::vector<std::int64_t> reviewedGoodTestImages() const;
    // Writes a pending threshold change now; false: not written (retried shortly).
    bool saveThresholdNow();
    // The model's threshold goes with it: nothing pending is written.
    void dropPendingThreshold(std::int64_t modelId);

    // For tests and the window's actions.
    QTableView* resultsView() const;
    ResultsFilterProxy* resultsProxy() const;
    ResultsModel* resultsModel() const;
    QComboBox* showFilter() const;
    QComboBox* labelFilter() const;
    QSlider* thresholdSlider() const;
    ImagePane* imagePane() const { return imagePane_; }
    ThresholdPlots* thresholdPlots() const { return thresholdPlots_; }
    ReviewPanel* reviewPanel() const { return reviewPanel_; }
    QLabel* metricsLabel() const;
    ThresholdBar* thresholdBar() const { return thresholdBar_; }

public Q_SLOTS:
    void selectImage(std::int64_t imageId);
    void nextImage();
    void previousImage();
    // Records a person's verdict on the image shown, then moves on to the next image.
    void giveVerdict(ds::Verdict verdict);
    void setReviewOrder(int order); // ReviewPanel::Order
    void resetThreshold();
    void toggleOverlay();
    // Writes the run shown (CSV, optional PNGs) at the current threshold, as a job.
    void exportResults(const ds::ResultsExportOptions& options);
    // Writes a PDF or HTML report (by the path's suffix) on the run shown, as a job.
    void exportReport(const QString& path);

Q_SIGNALS:
    void message(bool error, const QString& title, const QString& text, const QString& details);
    void status(const QString& text, int milliseconds);
    // The run, image or scoring state changed: actions that depend on them follow.
    void stateChanged();
    // The user moved modelId's threshold (the models list and inspection follow).
    void thresholdChanged(std::int64_t modelId, double threshold);
    // Long work for the window's job runner.
    void jobRequested(const QString& title, const ds::ui::JobRunner::Work& work);

private:
    // Letters and arrows act on the results table and the image only: they stay free for
    // combo boxes, sliders and the Inspect tab.
    QAction* addKeyAction(QMenu* menu, const QString& text, const char* objectName, const QKeySequence& key);
    void updateVerdictActions();
    void defectTypesDialog();
    void exportResultsDialog();
    void exportReportDialog();
    QWidget* createReviewTab();
    void clearRun();
    void readImages(); // fills images_ and reviews_; throws on a read error
    ResultsModel::Row resultRow(std::int64_t imageId, double score) const;
    void updateThresholdPlots();
    void updateReviewProgress();
    void showReviewState();
    void showHistory();
    void currentRowChanged();
    void showPlaceholder(const QString& text);
    QHash<std::int64_t, QString> imagePaths() const;
    ds::ReviewContext reviewContext() const;
    void saveMaskEdit(const cv::Mat& mask, const QString& action);
    // Applies a threshold to the verdicts, overlay, slider and plots.
    void applyThreshold(double threshold, bool moveSlider);
    void userMovedThreshold(double threshold, bool moveSlider);

    const ModelsModel* models_;
    QWidget* window_;
    ds::ProjectFile* project_ = nullptr;
    QString projectPath_;

    ResultsPane* results_ = nullptr;
    QWidget* reviewTab_ = nullptr;
    ImagePane* imagePane_ = nullptr;
    ReviewPanel* reviewPanel_ = nullptr;
    ThresholdBar* thresholdBar_ = nullptr;
    ThresholdPlots* thresholdPlots_ = nullptr;
    RunMetricsLabel* metrics_ = nullptr;
    ReviewHistoryView* historyView_ = nullptr;
    BackgroundTask* imageLoad_ = nullptr; // decodes the selected image off the GUI thread
    QList<QAction*> verdictActions_; // only while an image of a finished run is shown
    QAction* defectTypesAction_ = nullptr;
    QList<QAction*> exportActions_; // only for a finished run

    // The user's threshold per model is kept in the project (ProjectFile::chosenThreshold),
    // written shortly after the last change and before the run or project changes.
    QTimer* thresholdSaveTimer_ = nullptr;
    bool thresholdDirty_ = false;
    bool revertingMaskEdit_ = false; // taking back a mask edit the project refused

    std::int64_t modelId_ = 0; // the model shown, with or without a run
    std::int64_t scoringModelId_ = 0;
    std::int64_t runId_ = 0;
    std::int64_t runModelId_ = 0; // model of the run shown
    double runThreshold_ = 0; // the run's own threshold (Reset)
    std::int64_t imageId_ = 0;
    std::int64_t shownImageId_ = 0;
    struct ImageInfo {
        QString fileName;
        QString path;
        QString label;
        QString review; // latest human verdict's name, or empty
        std::optional<bool> truth; // ds::effectiveTruth
        bool truthFromReviewer = false;
    };
    QHash<std::int64_t, ImageInfo> images_; // the project's images, by id
    std::map<std::int64_t, ds::ReviewRecord> reviews_; // latest human verdict per image
};

} // namespace ds::ui
