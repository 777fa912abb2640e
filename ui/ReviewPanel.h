#pragma once
#include "core/ProjectTypes.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;

namespace ds::ui {

// The reviewer's controls under the image: the model's verdict and the person's verdict
// side by side (never merged), the buttons that record a verdict (Defect, Good, Unsure),
// the order the queue walks in, and how far the review has come.
class ReviewPanel : public QWidget {
    Q_OBJECT
public:
    enum class Order { HighestScore, NearestThreshold };

    explicit ReviewPanel(QWidget* parent = nullptr);

    // The image under review: the model's verdict at the threshold, and the latest human
    // verdict ("defect", "good", "unsure" or empty) with who gave it and when.
    void showImage(double score, double threshold, const QString& review, const QString& reviewer, const QString& when);
    void clearImage();
    void setProgress(int reviewed, int total);
    Order order() const;
    QComboBox* orderBox() const { return order_; }
    QPushButton* verdictButton(ds::Verdict verdict) const;
    QString modelVerdictText() const;
    QString humanVerdictText() const;

Q_SIGNALS:
    void verdictGiven(ds::Verdict verdict);
    void orderChanged(ds::ui::ReviewPanel::Order order);

private:
    QComboBox* order_ = nullptr;
    QLabel* progress_ = nullptr;
    QLabel* modelVerdict_ = nullptr;
    QLabel* humanVerdict_ = nullptr;
    QPushButton* defect_ = nullptr;
    QPushButton* good_ = nullptr;
    QPushButton* unsure_ = nullptr;
};

} // namespace ds::ui
