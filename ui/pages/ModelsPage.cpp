#include "ui/pages/ModelsPage.h"

#include "ui/Wording.h"

#include "core/jobs/RunMetrics.h"
#include "ui/MenuActions.h"
#include "ui/ProjectSession.h"
#include "ui/TrainDialog.h"
#include "ui/models/ModelsModel.h"
#include "ui/models/ModelsView.h"
#include "ui/pages/ReviewPage.h"

#include <QAction>
#include <QMenu>
#include <QMessageBox>

namespace ds::ui {

ModelsPage::ModelsPage(ModelsModel* models, ProjectSession* session, ReviewPage* review, QWidget* window)
    : QObject(window)
    , session_(session)
    , review_(review)
    , window_(window)
    , view_(new ModelsView(models))
{
    connect(view_, &ModelsView::selectionChanged, this, &ModelsPage::selectionChanged);
    connect(view_, &ModelsView::deleteRequested, this, &ModelsPage::deleteDialog);
}

ModelsModel* ModelsPage::models() const
{
    return view_->models();
}

void ModelsPage::addActions(QMenu* menu)
{
    train_ = addMenuAction(menu, QStringLiteral("&Train…"), "trainAction", QKeySequence(Qt::CTRL | Qt::Key_T));
    connect(train_, &QAction::triggered, this, &ModelsPage::trainDialog);
    score_ = addMenuAction(menu, QStringLiteral("&Score Test Images"), "scoreAction", QKeySequence(Qt::CTRL | Qt::Key_R),
                           QStringLiteral("Score every test image with the selected model"));
    connect(score_, &QAction::triggered, this, &ModelsPage::scoreRequested);
    compare_ = addMenuAction(menu, QStringLiteral("&Compare Models…"), "compareAction", QKeySequence(Qt::CTRL | Qt::Key_M),
                             QStringLiteral("Metrics, ROC curves and heatmaps of several models side by side"));
    connect(compare_, &QAction::triggered, this, &ModelsPage::compareRequested);
    retrain_ = addMenuAction(
        menu, QStringLiteral("Retrain with &Reviewed Good Images…"), "retrainAction", {},
        QStringLiteral("Move test images reviewed as Good into the training set and retrain the selected model's settings"));
    connect(retrain_, &QAction::triggered, this, &ModelsPage::retrainDialog);
    delete_ = addMenuAction(menu, QStringLiteral("&Delete Model…"), "deleteModelAction", {},
                            QStringLiteral("Remove the selected model with its runs and results"));
    connect(delete_, &QAction::triggered, this, &ModelsPage::deleteDialog);
    view_->addAction(delete_);
}

void ModelsPage::updateActions(bool idle)
{
    const bool hasProject = session_->isOpen();
    const bool hasModel = hasProject && selectedModelId() != 0;
    train_->setEnabled(hasProject && idle);
    score_->setEnabled(hasModel && idle);
    compare_->setEnabled(hasProject && models()->rowCount() >= 2);
    retrain_->setEnabled(hasModel && idle);
    delete_->setEnabled(hasModel && idle);
    // While a run streams in, the run shown stays its model's.
    view_->setEnabled(!review_->isScoring());
    view_->setToolTip(review_->isScoring() ? QStringLiteral("Available again when scoring ends") : QString());
}

void ModelsPage::refresh()
{
    try {
        view_->refresh(session_->file());
    } catch (const std::exception& e) {
        Q_EMIT message(true, QStringLiteral("Models"), QStringLiteral("Could not read the models."), fromStd(e.what()));
    }
}

std::int64_t ModelsPage::selectedModelId() const
{
    return view_->selectedModelId();
}

void ModelsPage::select(std::int64_t modelId)
{
    if (view_->select(modelId))
        Q_EMIT selectionChanged();
}

void ModelsPage::selectNewest()
{
    select(view_->newestModelId());
}

bool ModelsPage::deleteModel(std::int64_t modelId)
{
    if (!session_->isOpen() || !modelId)
        return false;
    review_->dropPendingThreshold(modelId); // its threshold goes with it
    try {
        session_->file()->deleteModel(modelId); // ids are never reused: its stored threshold is inert
    } catch (const std::exception& e) {
        Q_EMIT message(true, QStringLiteral("Delete Model"), QStringLiteral("Could not delete the model."), fromStd(e.what()));
        return false;
    }
    refresh();
    if (!selectedModelId())
        view_->select(view_->newestModelId());
    Q_EMIT selectionChanged();
    Q_EMIT status(QStringLiteral("Model deleted."), 5000);
    return true;
}

bool ModelsPage::retrainWithReviewedGood()
{
    const ds::ModelSummary* model = models()->summary(selectedModelId());
    if (!model)
        return false;
    try {
        const std::vector<std::int64_t> good = review_->reviewedGoodTestImages();
        if (good.empty())
            return false;
        Q_EMIT trainRequested(ds::DetectorSettings::fromJson(model->model.paramsJson),
                              fromStd(model->model.name) + QStringLiteral(" + %1 reviewed").arg(good.size()), good);
    } catch (const std::exception& e) {
        Q_EMIT message(true, QStringLiteral("Retrain"), QStringLiteral("Could not read the reviewed images."), fromStd(e.what()));
        return false;
    }
    return true;
}

void ModelsPage::trainDialog()
{
    TrainDialog dialog(window_);
    try {
        if (session_->isOpen())
            dialog.setTrainingImageCount(session_->file()->images(ds::Split::Train).size());
    } catch (const std::exception& e) {
        Q_EMIT message(true, QStringLiteral("Train"), QStringLiteral("Could not read the project."), fromStd(e.what()));
        return;
    }
    if (dialog.exec() == QDialog::Accepted)
        Q_EMIT trainRequested(dialog.settings(), dialog.modelName(), {});
}

void ModelsPage::deleteDialog()
{
    const ds::ModelSummary* model = models()->summary(selectedModelId());
    if (!model || !delete_->isEnabled())
        return;
    const auto answer
        = QMessageBox::question(window_, QStringLiteral("Delete Model"),
                                QStringLiteral("Delete the model “%1” with all its runs and results? This cannot be undone.")
                                    .arg(fromStd(model->model.name)),
                                QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
    if (answer == QMessageBox::Yes)
        deleteModel(model->model.id);
}

void ModelsPage::retrainDialog()
{
    const ds::ModelSummary* model = models()->summary(selectedModelId());
    if (!model)
        return;
    size_t count = 0;
    try {
        count = review_->reviewedGoodTestImages().size();
    } catch (const std::exception& e) {
        Q_EMIT message(true, QStringLiteral("Retrain"), QStringLiteral("Could not read the project."), fromStd(e.what()));
        return;
    }
    if (count == 0) {
        Q_EMIT message(false, QStringLiteral("Retrain"), QStringLiteral("No test image has been reviewed as Good yet."), {});
        return;
    }
    const auto answer = QMessageBox::question(
        window_, QStringLiteral("Retrain with Reviewed Good Images"),
        QStringLiteral("Train a new model with the settings of “%2” on the training set plus the %1 test images "
                       "reviewed as Good? Once it is trained they belong to the training set, so later metrics no "
                       "longer count them; if training is cancelled or fails, nothing moves.")
            .arg(count)
            .arg(fromStd(model->model.name)),
        QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Yes);
    if (answer == QMessageBox::Yes)
        retrainWithReviewedGood();
}

} // namespace ds::ui
