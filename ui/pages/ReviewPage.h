#pragma once
#include "core/storage/ProjectFile.h"
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
class ReviewHistoryView;
class ReviewPanel;
class RunMetricsLabel;
class ThresholdBar;
class ThresholdPlots;
class ThumbnailLoader;

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

    QWidget* resultsPane() const { return resultsPane_; }
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

    // The name verdicts and mask edits are recorded under (Review → Reviewer Name).
    static QString reviewerName();
    static void setReviewerName(const QString& name);

    // Next and previous image (N, P, arrows), for the View menu.
    void addNavigationActions(QMenu* menu);
    // Verdicts (D, G, U), the overlay (O) and mask editing (M), for the Review menu.
    void addReviewActions(QMenu* menu);

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
    QTableView* resultsView() const { return resultsView_; }
    ResultsFilterProxy* resultsProxy() const { return resultsProxy_; }
    ResultsModel* resultsModel() const { return resultsModel_; }
    QComboBox* showFilter() const { return showFilter_; }
    QComboBox* labelFilter() const { return labelFilter_; }
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

Q_SIGNALS:
    void message(bool error, const QString& title, const QString& text, const QString& details);
    void status(const QString& text, int milliseconds);
    // The run, image or scoring state changed: actions that depend on them follow.
    void stateChanged();
    // The user moved modelId's threshold (the models list and inspection follow).
    void thresholdChanged(std::int64_t modelId, double threshold);

private:
    // Letters and arrows act on the results table and the image only: they stay free for
    // combo boxes, sliders and the Inspect tab.
    QAction* addKeyAction(QMenu* menu, const QString& text, const char* objectName, const QKeySequence& key);
    void updateVerdictActions();
    QWidget* createResultsPane();
    QWidget* createReviewTab();
    void clearRun();
    void readImages(); // fills images_ and reviews_; throws on a read error
    ResultsModel::Row resultRow(std::int64_t imageId, double score) const;
    void updateThresholdPlots();
    void updateLabelFilter();
    void requestThumbnails();
    void updateReviewProgress();
    void showReviewState();
    void showHistory();
    void applyReviewOrder();
    void currentRowChanged();
    void showPlaceholder(const QString& text);
    QString imageCaption() const;
    ds::ReviewContext reviewContext() const;
    void saveMaskEdit(const cv::Mat& mask, const QString& action);
    // Applies a threshold to the verdicts, overlay, slider and plots.
    void applyThreshold(double threshold, bool moveSlider);
    void userMovedThreshold(double threshold, bool moveSlider);

    const ModelsModel* models_;
    QWidget* window_;
    ds::ProjectFile* project_ = nullptr;
    QString projectPath_;

    QWidget* resultsPane_ = nullptr;
    QWidget* reviewTab_ = nullptr;
    QTableView* resultsView_ = nullptr;
    ResultsModel* resultsModel_ = nullptr;
    ResultsFilterProxy* resultsProxy_ = nullptr;
    QComboBox* showFilter_ = nullptr;
    QComboBox* labelFilter_ = nullptr;
    QLabel* runLabel_ = nullptr;
    ThumbnailLoader* thumbnails_ = nullptr;
    QTimer* thumbnailBatch_ = nullptr; // gathers rows that arrive while scoring
    ImagePane* imagePane_ = nullptr;
    ReviewPanel* reviewPanel_ = nullptr;
    ThresholdBar* thresholdBar_ = nullptr;
    ThresholdPlots* thresholdPlots_ = nullptr;
    RunMetricsLabel* metrics_ = nullptr;
    ReviewHistoryView* historyView_ = nullptr;
    BackgroundTask* imageLoad_ = nullptr; // decodes the selected image off the GUI thread
    QList<QAction*> verdictActions_; // only while an image of a finished run is shown

    // The user's threshold per model is kept in the project (ProjectFile::chosenThreshold),
    // written shortly after the last change and before the run or project changes.
    QTimer* thresholdSaveTimer_ = nullptr;
    bool thresholdDirty_ = false;
    bool revertingMaskEdit_ = false; // taking back a mask edit the project refused

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
